/**
 * Edge node configuration: one TypeBox schema is the source of the type, the validation and
 * the defaults. Pins are line numbers on the GPIO chip (BCM numbers on a Raspberry Pi) or
 * Firmata pin numbers/names with the johnny-five driver.
 */
import Type, { type Static } from "typebox";
import { DEFAULT_TIME_ZONE } from "../core/centre.ts";
import { ID_PATTERN } from "../core/ids.ts";

const id = Type.String({ pattern: ID_PATTERN, description: "lower-case id: [a-z0-9][a-z0-9-]{0,31}" });
const name = Type.String({ pattern: "^[A-Za-z0-9_-]{1,32}$", description: "name of an input or output" });
const pin = Type.Union([Type.Integer({ minimum: 0, maximum: 1023 }), Type.String({ minLength: 1, maxLength: 16 })], {
	description: "GPIO line (BCM number) or Firmata pin",
});

export const InputConfig = Type.Object(
	{
		name,
		pin,
		/** A button wired to ground with a pull-up reads 0 when pressed. */
		activeLow: Type.Boolean({ default: true }),
		pull: Type.Union([Type.Literal("up"), Type.Literal("down"), Type.Literal("none")], { default: "up" }),
	},
	{ additionalProperties: false },
);

export const OutputConfig = Type.Object(
	{
		name,
		pin,
		activeLow: Type.Boolean({ default: false }),
	},
	{ additionalProperties: false },
);

export const DriverConfig = Type.Object(
	{
		type: Type.Union([Type.Literal("sim"), Type.Literal("onoff"), Type.Literal("gpiod"), Type.Literal("johnny-five")], {
			default: "sim",
		}),
		debounceMs: Type.Integer({ minimum: 0, maximum: 1000, default: 30 }),
		/**
		 * onoff, gpiod: label of the GPIO chip whose lines the pins are (default: the SoC's `pinctrl-*`);
		 * onoff adds its sysfs base to the pin numbers.
		 */
		chipLabel: Type.Optional(Type.String({ minLength: 1 })),
		/** onoff: where the kernel's sysfs GPIO lives. */
		sysfsRoot: Type.String({ default: "/sys/class/gpio" }),
		/** gpiod: directory of Debian's gpiod tools (gpiodetect, gpioget, gpiomon, gpioset); absent = PATH. */
		toolsDir: Type.Optional(Type.String({ minLength: 1 })),
		/** johnny-five: serial port of the Firmata board; absent = autodetect. */
		port: Type.Optional(Type.String({ minLength: 1 })),
		/** sim: read "press NAME" / "release NAME" lines from stdin and print outputs to stdout. */
		stdio: Type.Boolean({ default: false }),
	},
	{ additionalProperties: false, default: {} },
);

export const BrokerConfig = Type.Object(
	{
		url: Type.String({ pattern: "^(mqtt|mqtts|tcp|tls|ws|wss)://", description: "e.g. mqtt://hub.local:1883" }),
		/**
		 * Other brokers of the same city (hubs sharing sessions through Redis, docs/broker.md): when
		 * a connection fails or drops, the next attempt goes to the next address in turn.
		 */
		fallbackUrls: Type.Optional(
			Type.Array(Type.String({ pattern: "^(mqtt|mqtts|tcp|tls|ws|wss)://" }), {
				maxItems: 8,
				description: "e.g. [mqtt://hub-b.local:1883]",
			}),
		),
		username: Type.Optional(Type.String()),
		password: Type.Optional(Type.String()),
		/** PEM file of the CA that signed the hub's certificate (mqtts). */
		caFile: Type.Optional(Type.String()),
		keepaliveS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
		reconnectMinMs: Type.Integer({ minimum: 10, default: 500 }),
		reconnectMaxMs: Type.Integer({ minimum: 10, default: 15_000 }),
		/** Publishes waiting for PUBACK at once; they arrive in order on one connection. */
		inflight: Type.Integer({ minimum: 1, maximum: 1000, default: 64 }),
	},
	{ additionalProperties: false },
);

export const OutboxConfig = Type.Object(
	{
		maxEvents: Type.Integer({ minimum: 10, default: 100_000 }),
		maxBytes: Type.Integer({ minimum: 10_000, default: 64 * 1024 * 1024 }),
		/** When full: drop the oldest waiting event (logged), or refuse the new one (error sound). */
		whenFull: Type.Union([Type.Literal("drop-oldest"), Type.Literal("refuse-new")], { default: "drop-oldest" }),
		/** fsync each event before it is acknowledged; off only for benchmarks of the rest. */
		fsync: Type.Boolean({ default: true }),
	},
	{ additionalProperties: false, default: {} },
);

export const WindowRole = Type.Object(
	{
		window: id,
		/** Input names, worst to best: the first is score 1; 3 to 10 buttons (the centre's scale). */
		ratingButtons: Type.Array(name, { minItems: 3, maxItems: 10 }),
		thanksLed: Type.Optional(name),
		buzzer: Type.Optional(name),
		/** After a rating, presses for this long are sent as extra presses, not ratings. */
		lockoutS: Type.Number({ minimum: 0, maximum: 600, default: 10 }),
		/** A rating names the ticket finished at this window within this long. */
		attributionS: Type.Number({ minimum: 0, maximum: 7200, default: 600 }),
		admin: Type.Object(
			{
				next: Type.Optional(name),
				start: Type.Optional(name),
				finish: Type.Optional(name),
				noShow: Type.Optional(name),
				pause: Type.Optional(name),
			},
			{ additionalProperties: false, default: {} },
		),
	},
	{ additionalProperties: false },
);

export const TerminalButton = Type.Object(
	{
		input: name,
		service: id,
		prefix: Type.String({ pattern: "^[A-Z]{1,2}$", description: "ticket prefix of the service, e.g. A" }),
		priority: Type.Optional(id),
		/** The service's name as printed on the ticket (default: the service id). */
		label: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
	},
	{ additionalProperties: false },
);

/** The ticket printer (edge/printer/): how it is reached and what goes on the ticket. */
export const PrinterConfig = Type.Object(
	{
		connection: Type.Union([Type.Literal("sim"), Type.Literal("device"), Type.Literal("tcp")], {
			description:
				"sim: write the bytes to `path` (a file); device: a character device at `path` (/dev/usb/lp0, a serial port); tcp: `host`:`port` (raw 9100)",
		}),
		path: Type.Optional(Type.String({ minLength: 1 })),
		host: Type.Optional(Type.String({ minLength: 1 })),
		port: Type.Integer({ minimum: 1, maximum: 65535, default: 9100 }),
		/** ESC t number of the Windows-1251 table (Epson: 46; some printers: 73 or other). */
		codeTable: Type.Integer({ minimum: 0, maximum: 255, default: 46 }),
		/** The centre's name at the top of the ticket. */
		centreName: Type.String({ minLength: 1, maxLength: 64, default: "ЦНАП" }),
		/** The hub's public address: the QR code links to {publicUrl}/c/{centre}/t/{ticket}?k=…; none, no QR code. */
		publicUrl: Type.Optional(Type.String({ pattern: "^https?://" })),
		/** This terminal's ticket key (`vikno device add … --ticket-key`; env VIKNO_EDGE_PRINTER_TICKET_KEY). */
		ticketKey: Type.Optional(Type.String({ minLength: 16 })),
		/** Longest wait for the hub's figures before printing without them (never more than a second). */
		hubWaitMs: Type.Integer({ minimum: 0, maximum: 1000, default: 1000 }),
		/** How often the printer's state is checked, seconds. */
		checkEveryS: Type.Number({ minimum: 1, maximum: 3600, default: 30 }),
	},
	{ additionalProperties: false },
);

export const TerminalRole = Type.Object(
	{
		buttons: Type.Array(TerminalButton, { minItems: 1 }),
		/** Several terminals in one hall start at different numbers so tickets stay unique. */
		numberStart: Type.Integer({ minimum: 0, maximum: 9000, default: 1 }),
		buzzer: Type.Optional(name),
		led: Type.Optional(name),
		printer: Type.Optional(PrinterConfig),
	},
	{ additionalProperties: false },
);

export const DoorRole = Type.Object(
	{
		zone: id,
		/** Two beams (or PIRs) per doorway: outer then inner = in, inner then outer = out. */
		beams: Type.Optional(Type.Object({ outer: name, inner: name }, { additionalProperties: false })),
		/** Longest gap between the two beams of one passage. */
		pairWindowMs: Type.Integer({ minimum: 50, maximum: 10_000, default: 1500 }),
		/** Increments are published at most this often (and only when non-zero). */
		publishEveryS: Type.Number({ minimum: 0.1, maximum: 3600, default: 5 }),
	},
	{ additionalProperties: false },
);

export const BridgeConfig = Type.Object(
	{
		enabled: Type.Boolean({ default: false }),
		host: Type.String({ default: "127.0.0.1" }),
		port: Type.Integer({ minimum: 0, maximum: 65535, default: 8787 }),
		/** Bearer token the queue system must send; recommended when host is not loopback. */
		token: Type.Optional(Type.String({ minLength: 8 })),
	},
	{ additionalProperties: false, default: {} },
);

export const EdgeConfig = Type.Object(
	{
		centre: id,
		node: id,
		role: Type.Union([Type.Literal("window"), Type.Literal("terminal"), Type.Literal("door")]),
		/** The centre's time zone: tickets are numbered per local day. */
		timeZone: Type.String({ minLength: 1, default: DEFAULT_TIME_ZONE }),
		dataDir: Type.String({ minLength: 1, default: "/var/lib/vikno-edge" }),
		broker: BrokerConfig,
		driver: DriverConfig,
		inputs: Type.Array(InputConfig, { default: [] }),
		outputs: Type.Array(OutputConfig, { default: [] }),
		outbox: OutboxConfig,
		statusEveryS: Type.Number({ minimum: 1, maximum: 3600, default: 60 }),
		/** Where the CPU temperature is read from, in millidegrees; absent file = not reported. */
		thermalFile: Type.String({ default: "/sys/class/thermal/thermal_zone0/temp" }),
		window: Type.Optional(WindowRole),
		terminal: Type.Optional(TerminalRole),
		door: Type.Optional(DoorRole),
		bridge: BridgeConfig,
		log: Type.Object(
			{
				level: Type.Union(
					["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
					{ default: "info" },
				),
			},
			{ additionalProperties: false, default: {} },
		),
	},
	{ additionalProperties: false },
);

export type EdgeConfig = Static<typeof EdgeConfig>;
export type InputConfig = Static<typeof InputConfig>;
export type OutputConfig = Static<typeof OutputConfig>;
export type DriverConfig = Static<typeof DriverConfig>;
export type OutboxConfig = Static<typeof OutboxConfig>;
export type WindowRole = Static<typeof WindowRole>;
export type TerminalRole = Static<typeof TerminalRole>;
export type PrinterConfig = Static<typeof PrinterConfig>;
export type DoorRole = Static<typeof DoorRole>;
export type BridgeConfig = Static<typeof BridgeConfig>;

/** The drivers a node can use, and what each is for (`vikno edge --help`; every driver of the schema, no other). */
export const DRIVERS: Record<EdgeConfig["driver"]["type"], string> = {
	sim: "simulated pins: tests, a laptop (with --keyboard), the simulator",
	onoff: "GPIO through the kernel's sysfs (onoff), Raspberry Pi OS up to bookworm",
	gpiod: "GPIO through Debian's gpiod tools (gpiomon, gpioset): any kernel, a Raspberry Pi 5",
	"johnny-five": "a Firmata board (Arduino) on a serial port, through johnny-five",
};

/** The roles a node can play (`vikno edge --help`; every role of the schema, no other). */
export const ROLES: Record<EdgeConfig["role"], string> = {
	window: "rating buttons, light and sound; the administrator's call, start, finish, no-show, pause",
	terminal: "issues tickets per service (a button each), priority ones on their own button",
	door: "counts people in and out of a zone",
};
