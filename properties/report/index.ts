/** The report's parts: SVG plots and counterexample traces as Mermaid. */
export * from "./plots.ts";
export * from "./traceMermaid.ts";
