import { describe, expect, it } from "vitest";
import { ShellWordsError, splitShellWords } from "./shellWords.ts";

describe("splitShellWords", () => {
  it("splits on blanks and honours quotes and backslashes", () => {
    expect(splitShellWords("  ./h --seed 3 ")).toEqual(["./h", "--seed", "3"]);
    expect(splitShellWords(`a 'b c' "d \\"e\\" $f" g\\ h`)).toEqual([
      "a",
      "b c",
      'd "e" $f',
      "g h",
    ]);
    expect(splitShellWords(`x ''`)).toEqual(["x", ""]);
  });

  it("refuses what it cannot split, naming the command", () => {
    expect(() => splitShellWords("a 'b")).toThrow(ShellWordsError);
    expect(() => splitShellWords('a "b')).toThrow(/quote is not closed/);
    expect(() => splitShellWords("   ")).toThrow(/expected a program/);
  });
});
