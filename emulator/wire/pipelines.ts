/** Azure ML pipeline endpoints (contract §5): PascalCase submit body; run history answers in camelCase. */
import { Shape } from "./casing";

export interface PipelineSubmitRequest {
  ExperimentName?: string;
  ParameterAssignments?: Record<string, string | number>;
  Description?: string;
  Tags?: Record<string, string>;
  DataPathAssignments?: Record<string, { DataStoreName?: string; RelativePath?: string }>;
  DataSetDefinitionValueAssignments?: Record<string, unknown>;
  RunSource?: string;
  DisplayName?: string;
}

export type PipelineRunStatus = "NotStarted" | "Running" | "Completed" | "Failed" | "Canceled";

export const PIPELINE_SUBMIT_SHAPE: Shape = {
  ExperimentName: true,
  ParameterAssignments: true,
  Description: true,
  Tags: true,
  DataPathAssignments: { $map: { DataStoreName: true, RelativePath: true } },
  DataSetDefinitionValueAssignments: true,
  RunSource: true,
  DisplayName: true,
};

export const PIPELINE_SUBMIT_SCHEMA = {
  type: "object",
  properties: {
    ExperimentName: { type: "string", minLength: 1 },
    ParameterAssignments: { type: "object", additionalProperties: { type: ["string", "number"] } },
    Description: { type: "string" },
    Tags: { type: "object" },
    DataPathAssignments: {
      type: "object",
      additionalProperties: { type: "object", properties: { DataStoreName: { type: "string" }, RelativePath: { type: "string" } } },
    },
    DataSetDefinitionValueAssignments: { type: "object" },
    RunSource: { type: "string" },
    DisplayName: { type: "string" },
  },
} as const;
