import { connect } from "node:net";

/**
 * Sends `text` as it is on a new connection to the server at `url` and resolves to everything the
 * server writes back, once it closes the connection (a server that never closes it fails the test by
 * its timeout). For what fetch will not send: broken HTTP, handshakes, bodies that never end.
 */
export function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
  });
}

/** The status line and the JSON body of a raw HTTP answer. */
export function parseAnswer(answer: string): { statusLine: string; body: unknown } {
  const statusLine = answer.split("\r\n", 1)[0] ?? "";
  const text = answer.slice(answer.indexOf("\r\n\r\n") + 4);
  return { statusLine, body: text ? JSON.parse(text) : undefined };
}
