/**
 * Devices, for an admin:
 *   GET  /api/v1/centres/{centre}/devices                    every node with its last status, offline first
 *   POST /api/v1/centres/{centre}/devices/{node}/identify    blink the node's light (CSRF)
 * Identify publishes `vikno/v1/{centre}/{node}/cmd/identify` `{seconds}` (core/commands.ts) through
 * the hub's broker at QoS 1: a node online gets it at once, one reconnecting with its session
 * gets it then. The answer says it was sent, not that the node blinked (the node does not answer).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Devices } from "../../core/devices.ts";
import { commandTopic } from "../../core/topic.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { Identified, IdentifyBody, NodeParams } from "./managerSchemas.ts";
import { CentreParams } from "./schemas.ts";

const DEFAULT_SECONDS = 10;

export async function deviceRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];

	app.get(
		"/api/v1/centres/:centre/devices",
		{
			schema: {
				operationId: "getDevices",
				summary: "A centre's nodes and their health (admin)",
				description:
					"Every configured node: role, window or zone, online, last status, version, outbox depth, CPU " +
					"temperature — offline ones first.",
				tags,
				params: CentreParams,
				response: { 200: Devices, ...errorResponses("unknown_centre") },
			},
			config: { access: "admin" },
		},
		async (req) => {
			const devices = hall.devices(req.params.centre);
			if (!devices) throw unknownCentre(req.params.centre);
			return devices;
		},
	);

	app.post(
		"/api/v1/centres/:centre/devices/:node/identify",
		{
			schema: {
				operationId: "identifyDevice",
				summary: "Make a node blink so a technician finds it (admin)",
				description:
					"JSON {seconds?} (1–300, default 10) with x-csrf-token. Publishes cmd/identify to the node at QoS 1.",
				tags,
				params: NodeParams,
				body: IdentifyBody,
				response: { 202: Identified, ...errorResponses("unknown_centre", "unknown_node") },
			},
			config: { access: "admin" },
		},
		async (req, reply) => {
			const { centre, node } = req.params;
			const index = hall.centres.get(centre);
			if (!index) throw unknownCentre(centre);
			if (!index.nodes.has(node))
				throw new HttpError("unknown_node", `centre "${centre}" has no node "${node}" in its configuration`);
			const seconds = req.body?.seconds ?? DEFAULT_SECONDS;
			opts.command(centre, node, "identify", { seconds });
			req.log.info({ centre, node, seconds, by: req.auth?.user.name }, "identify sent");
			return reply.code(202).send({ centre, node, topic: commandTopic(centre, node, "identify"), seconds });
		},
	);
}
