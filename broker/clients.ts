/**
 * What the broker knows about each connected client, shared by its hooks: the identity it was
 * admitted as, the credential hash it authenticated against (a change disconnects it), and its
 * CONNECT packet between aedes' preConnect and authenticate hooks. Weakly held: a client gone is
 * forgotten with it.
 */
import type { Aedes, Client, ConnectPacket } from "aedes";
import type { GuardedStream } from "./guard.ts";
import type { Identity } from "./identity.ts";

export class ClientTable {
	private readonly identities = new WeakMap<Client, Identity>();
	private readonly hashes = new WeakMap<Client, string>();
	private readonly connects = new WeakMap<Client, ConnectPacket>();

	constructor(private readonly aedes: () => Aedes | undefined) {}

	connecting(client: Client, packet: ConnectPacket): void {
		this.connects.set(client, packet);
	}

	/** The CONNECT packet of a client being authenticated (once). */
	takeConnect(client: Client): ConnectPacket | undefined {
		const packet = this.connects.get(client);
		this.connects.delete(client);
		return packet;
	}

	admitted(client: Client, identity: Identity, credentialHash: string | undefined): void {
		this.identities.set(client, identity);
		if (credentialHash !== undefined) this.hashes.set(client, credentialHash);
	}

	identity(client: Client): Identity | undefined {
		return this.identities.get(client);
	}

	credentialHash(client: Client): string | undefined {
		return this.hashes.get(client);
	}

	/** The remote address the transport saw ("" when unknown). */
	address(client: Client): string {
		return (client.conn as Partial<GuardedStream>).remoteAddress ?? "";
	}

	/** Clients registered with aedes now, by client id. */
	connected(): Client[] {
		const a = this.aedes() as unknown as { clients: Record<string, Client> } | undefined;
		return a ? Object.values(a.clients) : [];
	}

	/** The client registered with aedes under an id, if any. */
	byId(id: string): Client | undefined {
		return (this.aedes() as unknown as { clients: Record<string, Client> } | undefined)?.clients[id];
	}
}
