/**
 * Why the broker refused or dropped something. Each is a metric label and is documented in
 * docs/broker.md; a test checks that the two lists agree.
 */

/** A connection refused before or at CONNECT (`vikno_mqtt_connects_refused_total{reason}`). */
export const CONNECT_REFUSALS = {
	anonymous: "No user name, and this hub does not allow anonymous clients (CONNACK 5).",
	unknown_user: "The user name is not of the form centre/node or service:name, or has no credential (CONNACK 4).",
	bad_password: "The password does not match the stored hash (CONNACK 4).",
	revoked: "The credential was revoked with `vikno device revoke` (CONNACK 4).",
	unknown_node: "The credential is for a node that is not in this hub's centre configuration (CONNACK 5).",
	client_id_mismatch: "The client id is not the one the credential allows (CONNACK 2).",
	empty_client_id: "Empty client id with clean session false, refused per MQTT-3.1.3-8 (CONNACK 2).",
	keepalive: "Keep-alive 0 (none) where the hub does not allow it, or longer than the hub allows (CONNACK 2).",
	will_not_authorized: "The Will topic is one the client may not publish to (CONNACK 5).",
	registry_error: "The credentials file could not be read; everyone is refused until it can (CONNACK 3).",
	too_many_connections: "The broker already has its maximum number of connections (socket closed).",
	too_many_from_address: "The address already has its maximum number of connections (socket closed).",
	rate_limited: "The address opened connections faster than allowed per second (socket closed).",
	busy: "More clients were connecting than the broker serves at once (--max-connecting) and this one waited longer than 5 s for its turn (socket closed: the client tries again as after any lost connection).",
	connect_timeout: "No CONNECT arrived in time after the socket (or TLS handshake) opened (socket closed).",
	unsupported_protocol:
		'Not MQTT 3.1.1 ("MQTT", level 4) or 3.1 ("MQIsdp", level 3): another level (MQTT 5, a bridge\'s 0x84) gets CONNACK 1 (MQTT-3.1.2-2), another protocol name a closed socket (MQTT-3.1.2-1).',
} as const;

/** A connection closed by the broker (`vikno_mqtt_disconnects_total{reason}`). */
export const DISCONNECTS = {
	too_large: "A packet's declared length is above the maximum packet size; closed before it is read.",
	malformed:
		"Bytes that are not a well-formed MQTT 3.1.1 packet: reserved type, wrong flags (QoS 3, DUP on QoS 0), a length other than its type has, fields overrunning or not filling the packet, CONNECT flags that contradict each other or the payload, packet id 0, reserved bits or QoS 3 in a SUBSCRIBE.",
	bad_utf8:
		"A client id, user name, Will topic, topic or filter is not valid UTF-8, or contains U+0000, a control character (U+0001–U+001F, U+007F–U+009F) or a non-character (MQTT-1.5.3).",
	protocol:
		"A protocol error found by the broker: a packet before CONNECT, a second CONNECT, an empty topic or filter, a wildcard in a topic name (also a Will topic) or not filling its level of a filter, …",
	slow_consumer: "The client did not read what it was sent: its outgoing buffer passed the limit.",
	keepalive_timeout: "Nothing received for 1.5 × the keep-alive (MQTT-3.1.2-24).",
	revoked: "The client's credential was revoked or replaced while it was connected.",
	takeover: "Another connection with the same client id took the session over (MQTT-3.1.4-2).",
} as const;

/** A publish the ACL refused (`vikno_mqtt_publishes_refused_total{reason}`; also counted as not_authorized). */
export const PUBLISH_REFUSALS = {
	foreign_topic:
		"The topic is not under the publisher's own vikno/v1/{centre}/{node}/ (or, for a service, $hub or cmd).",
	kind_not_allowed: "The node's role may not publish this kind (e.g. a door publishing a rating).",
	retain_not_allowed: "Retain on a topic where only state may be retained (a node's status, a service's $hub topics).",
} as const;

/** A subscription the ACL refused, answered with SUBACK 0x80 (`vikno_mqtt_subscribes_refused_total{reason}`). */
export const SUBSCRIBE_REFUSALS = {
	foreign_filter: "The filter could match topics outside what the client may read (a node reads only its own cmd/#).",
} as const;

export type ConnectRefusal = keyof typeof CONNECT_REFUSALS;
export type DisconnectReason = keyof typeof DISCONNECTS;
export type PublishRefusal = keyof typeof PUBLISH_REFUSALS;
export type SubscribeRefusal = keyof typeof SUBSCRIBE_REFUSALS;

export const CONNECT_REFUSAL_NAMES = Object.keys(CONNECT_REFUSALS) as ConnectRefusal[];
export const DISCONNECT_NAMES = Object.keys(DISCONNECTS) as DisconnectReason[];
export const PUBLISH_REFUSAL_NAMES = Object.keys(PUBLISH_REFUSALS) as PublishRefusal[];
export const SUBSCRIBE_REFUSAL_NAMES = Object.keys(SUBSCRIBE_REFUSALS) as SubscribeRefusal[];
