using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// The JSON rendering of runs, for tools: <c>{"runs": [...]}</c> with one object per cell, every
/// decision as its kind and its typed fields (the prose lines are the text report's). Property order is fixed, so output is byte-identical
/// for the same input.
/// </summary>
internal static class JsonReport
{
    public static string Render(IEnumerable<RunReport> runs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("runs");
            foreach (var run in runs)
            {
                Run(json, run);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
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
            json.WriteString("kind", fault.Kind);
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
            json.WriteString("kind", decision.Kind);
            foreach (var (key, value) in decision.Fields)
            {
                Value(json, key, value);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("log");
        foreach (var line in step.Log)
        {
            json.WriteStringValue(line);
        }

        json.WriteEndArray();
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

    private static void Value(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case string s:
                json.WriteString(key, s);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int i:
                json.WriteNumber(key, i);
                break;
            case long l:
                json.WriteNumber(key, l);
                break;
            case ulong u:
                json.WriteNumber(key, u);
                break;
            case IEnumerable<string> list:
                json.WriteStartArray(key);
                foreach (var item in list)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
