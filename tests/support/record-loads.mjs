// Module hooks (node:module register) that append the URL of every module the process loads to the
// file named by RECORD_LOADS_FILE: how a test sees which packages a server process imported.
import { appendFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.RECORD_LOADS_FILE, `${url}\n`);
  return nextLoad(url, context);
}
