/**
 * Rating by QR code, and the comment after it: public forms, posted by the rating page's script.
 *   POST /api/public/v1/centres/{centre}/ratings   {token, score}  → 201 {counted, comment: {token, maxLength}}
 *   POST /api/public/v1/centres/{centre}/comments  {token, text}   → 201 {kept}
 * The token is the page's (dashboard/formToken.ts): signed, short-lived, taken once. Posts are
 * JSON only (a cross-site HTML form cannot send JSON, and these routes answer no CORS preflight)
 * and limited per address (core/qrRating.ts `perAddress`); the hub limits them per window as the
 * buttons are (hub/qrRatings.ts). Refusals are the public API's error codes (docs/errors.md).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { admit, type LimitBucket, QR_RATING, type QrRatingRequest } from "../../core/qrRating.ts";
import { MAX_COMMENT } from "../../store/types.ts";
import type { ResidentOptions } from "../app.ts";
import { errorResponses, HttpError, RetryLater, unknownCentre } from "../errors.ts";
import { COMMENT_TOKEN_TTL_MS } from "../formToken.ts";
import { CentreParams, CommentAnswer, CommentBody, RatingAnswer, RatingBody } from "./schemas.ts";

export async function publicRateRoutes(fastify: FastifyInstance, opts: ResidentOptions) {
	const { hall, residents, forms } = opts;
	if (!residents) return;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["public"];
	const addresses = new Map<string, LimitBucket>();
	const perAddress = opts.qrRating?.perAddress ?? QR_RATING.perAddress;
	const fromAddress = (ip: string) => {
		const now = opts.now();
		if (addresses.size > 50_000) addresses.clear();
		const a = admit(addresses.get(ip), now, perAddress);
		addresses.set(ip, a.bucket);
		if (!a.ok)
			throw new RetryLater(
				"too many ratings from this address lately; thank you — try again later",
				Math.ceil(a.retryAfterMs / 1000),
			);
	};
	const expired = (why: string) => new HttpError("form_expired", why);

	app.post(
		"/api/public/v1/centres/:centre/ratings",
		{
			schema: {
				operationId: "postQrRating",
				summary: "Rate a visit (the QR rating page)",
				description:
					"A rating from the page a window's QR code or a ticket's own link opens, with that page's form token. It " +
					"enters the hub as the window's rating (source qr): attributed to the ticket just served there (or the " +
					"ticket of the link), extra within the lockout after the window's last rating or for a visit already rated. " +
					"A ticket's link rates once. Limited per address and per window.",
				tags,
				params: CentreParams,
				body: RatingBody,
				response: {
					201: RatingAnswer,
					...errorResponses(
						"unknown_centre",
						"unknown_window",
						"unknown_ticket",
						"form_expired",
						"not_served_yet",
						"already_rated",
						"rate_limited",
					),
				},
			},
			// Anyone may post; the page's signed single-use token stands in for a session's CSRF token.
			config: { access: "public", formToken: true },
		},
		async (req, reply) => {
			const { centre } = req.params;
			const index = hall.centres.get(centre);
			if (!index) throw unknownCentre(centre);
			const { score, token } = req.body;
			if (score > index.centre.ratingScale)
				throw new HttpError("bad_request", `score must be 1..${index.centre.ratingScale} at this centre`);
			// The token first (a forged one costs an HMAC), then the address's allowance.
			const taken = forms.take(token, "rate", centre);
			if (!taken.ok) throw expired(taken.why);
			fromAddress(req.ip);
			const { claims } = taken;
			let request: QrRatingRequest;
			if (claims.t && claims.k) request = { centre, score, ticket: { number: claims.t, key: claims.k } };
			else if (claims.w) request = { centre, score, window: claims.w };
			else throw expired("the form's token names nothing to rate");
			const result = await residents.rate(request);
			if (!result.ok) {
				if (result.refusal === "rate_limited")
					throw new RetryLater(result.message, Math.ceil((result.retryAfterMs ?? 60_000) / 1000));
				throw new HttpError(result.refusal, result.message);
			}
			const commentToken = forms.issue(
				{
					p: "comment",
					c: centre,
					r: result.id,
					w: result.window,
					s: score,
					...(result.service ? { sv: result.service } : {}),
					...(result.ticket ? { t: result.ticket } : {}),
				},
				COMMENT_TOKEN_TTL_MS,
			);
			reply.code(201);
			return { counted: result.counted, comment: { token: commentToken, maxLength: MAX_COMMENT } };
		},
	);

	app.post(
		"/api/public/v1/centres/:centre/comments",
		{
			schema: {
				operationId: "postComment",
				summary: "Leave a comment after a QR rating",
				description:
					`A short comment (at most ${MAX_COMMENT} characters, no personal data) with the token the rating's answer ` +
					"gave. Kept apart from the ratings, shown to the centre's managers (GET /api/v1/centres/{centre}/comments), never published.",
				tags,
				params: CentreParams,
				body: CommentBody,
				response: { 201: CommentAnswer, ...errorResponses("unknown_centre", "form_expired") },
			},
			// Anyone may post; the page's signed single-use token stands in for a session's CSRF token.
			config: { access: "public", formToken: true },
		},
		async (req, reply) => {
			const { centre } = req.params;
			if (!hall.centres.has(centre)) throw unknownCentre(centre);
			const text = req.body.text.trim();
			if (!text) throw new HttpError("bad_request", "the comment is empty");
			const taken = forms.take(req.body.token, "comment", centre);
			if (!taken.ok) throw expired(taken.why);
			const { claims } = taken;
			if (!claims.r || !claims.w || claims.s === undefined) throw expired("the form's token names no rating");
			const kept = residents.comments.add({
				ratingId: claims.r,
				centre,
				at: opts.now(),
				window: claims.w,
				service: claims.sv ?? null,
				ticket: claims.t ?? null,
				score: claims.s,
				text,
			});
			reply.code(201);
			return { kept };
		},
	);
}
