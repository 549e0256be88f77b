/** Small TypeBox pieces shared by the schemas of what core computes (live view, reports, insights). */
import Type, { type TSchema } from "typebox";

/** A value or null (no figure yet, nothing to measure). */
export const orNull = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A count of things: a whole number, never negative. */
export const Count = Type.Integer({ minimum: 0 });

/** An instant as epoch milliseconds. */
export const EpochMs = Type.Integer({ description: "Epoch milliseconds" });
