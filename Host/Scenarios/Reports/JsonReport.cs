using System.Text.Json;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// The JSON rendering of runs, for tools (docs/schemas/run.schema.json):
/// <c>{"schemaVersion": 1, "runs": [...]}</c> with one object per cell, every decision as its
/// kind and its typed fields (the prose lines are the text report's). Property order is fixed, so
/// output is byte-identical for the same input.
/// </summary>
internal static class JsonReport
{
    public static string Render(IEnumerable<RunReport> runs) => JsonOutput.Render(json => Runs(json, runs));

    /// <summary>The <c>"runs"</c> array: one object per cell.</summary>
    public static void Runs(Utf8JsonWriter json, IEnumerable<RunReport> runs)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(runs);
        json.WriteStartArray("runs");
        foreach (var run in runs)
        {
            Run(json, run);
        }

        json.WriteEndArray();
    }

    private static void Run(Utf8JsonWriter json, RunReport run)
    {
        json.WriteStartObject();
        json.WriteString("scenario", run.Scenario);
        json.WriteString("description", run.Description);
        json.WriteStartObject("cell");
        foreach (var setting in run.Cell)
        {
            json.WriteString(setting.Path, setting.Value);
        }

        json.WriteEndObject();
        json.WriteString("kernel", run.Kernel);
        json.WriteString("device", run.Device);
        json.WriteString("filesystem", run.FileSystem);
        json.WriteStartArray("steps");
        foreach (var step in run.Steps)
        {
            Step(json, step);
        }

        json.WriteEndArray();
        json.WriteBoolean("expectations_held", run.ExpectationsHeld);
        if (run.Fault is { } fault)
        {
            json.WriteStartObject("plugin_fault");
            json.WriteString("at", fault.At.ToString());
            json.WriteString("plugin", fault.Plugin);
            json.WriteString("version", fault.Version);
            json.WriteString("call", fault.Call);
            json.WriteString("arguments", fault.Arguments);
            json.WriteString("kind", JsonOutput.SnakeCase(fault.Kind));
            json.WriteString("detail", fault.Detail);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void Step(Utf8JsonWriter json, StepReport step)
    {
        json.WriteStartObject();
        json.WriteNumber("number", step.Number);
        json.WriteString("kind", step.Kind);
        json.WriteBoolean("event", step.IsEvent);
        json.WriteString("what", step.What);
        json.WriteString("result", step.Result.ToString());
        json.WriteString("returned", step.Result.Value);
        json.WriteStartArray("decisions");
        foreach (var decision in DecisionFormatter.Format(step.Decisions))
        {
            json.WriteStartObject();
            json.WriteString("kind", decision.Name);
            foreach (var (key, value) in decision.Fields)
            {
                JsonOutput.Value(json, key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        JsonOutput.Strings(json, "log", step.Log);
        json.WriteStartArray("expectations");
        foreach (var e in step.Expectations)
        {
            json.WriteStartObject();
            json.WriteString("check", e.Check);
            json.WriteBoolean("held", e.Held);
            json.WriteString("actual", e.Actual);
            json.WriteString("at", e.At.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
