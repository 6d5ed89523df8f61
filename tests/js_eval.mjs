// Evaluates compiled expressions for the property tests in test_expressions.py.
// The first stdin line is JSON holding JS_RUNTIME; each later line is
// {"code": "...", "rows": [{"values": {...}, "multi": {...}}, ...]}, answered by one line:
// a JSON array of results, or {"error": "..."}.
import readline from "node:readline";

const lines = readline.createInterface({ input: process.stdin });
let makeS = null;
for await (const line of lines) {
  if (makeS === null) {
    makeS = new Function(JSON.parse(line) + "\nreturn makeS;")();
    continue;
  }
  let answer;
  try {
    const { code, rows } = JSON.parse(line);
    const compiled = new Function("S", "return " + code + ";");
    answer = rows.map((row) => {
      const result = compiled(makeS(row.values, row.multi));
      return result === undefined ? "undefined" : result;
    });
  } catch (error) {
    answer = { error: String(error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
