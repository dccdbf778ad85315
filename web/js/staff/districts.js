// The call's districts, in its order, as the unfiltered summary lists them (every one, with
// or without entries): the calls file, not this page, says which districts take part.

import { get } from "../api.js";

let districtNames = null;

/** {district: district} for a select, fetched once. */
export async function districtOptions() {
  if (!districtNames) districtNames = (await get("/api/v1/reports/summary")).districts.map((d) => d.district);
  return Object.fromEntries(districtNames.map((d) => [d, d]));
}
