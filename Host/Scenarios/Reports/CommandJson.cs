using System.Text.Json;
using DaxHolder.Scenarios.Approval;
using DaxHolder.Scenarios.Comparing;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Scenarios.Reports;

/// <summary>
/// The JSON outputs of <c>compare</c>, <c>check</c> and <c>plugins</c> (docs/schemas/), beside
/// <see cref="JsonReport"/> for <c>run</c>: each starts with <c>schemaVersion</c> and follows
/// the same conventions (<see cref="JsonOutput"/>).
/// </summary>
internal static class CommandJson
{
    /// <summary>
    /// compare: the cells with their settings, the rows that differ (each cell's text of the step)
    /// first, the labels of the rows alike in every cell, then every cell's run in full.
    /// </summary>
    public static string Compare(Comparison comparison, IReadOnlyList<RunReport> runs) => JsonOutput.Render(json =>
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentNullException.ThrowIfNull(runs);
        json.WriteString("scenario", comparison.Scenario);
        json.WriteStartArray("cells");
        for (var i = 0; i < comparison.Cells.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("name", comparison.Cells[i]);
            Settings(json, runs[i]);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("rows", comparison.Rows.Count);
        json.WriteStartArray("differences");
        foreach (var row in comparison.Differences)
        {
            json.WriteStartObject();
            json.WriteString("row", row.Label);
            JsonOutput.Strings(json, "per_cell", row.PerCell);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        JsonOutput.Strings(json, "same", comparison.Same.Select(r => r.Label));
        JsonReport.Runs(json, runs);
    });

    /// <summary>
    /// check: each scenario with its approved file, whether its decisions match it (and the
    /// unified diff when not), whether --accept wrote it, and its failed expectations; then the
    /// counts the text's last line gives.
    /// </summary>
    public static string Check(IReadOnlyList<ApprovalResult> results, bool accepted) => JsonOutput.Render(json =>
    {
        ArgumentNullException.ThrowIfNull(results);
        json.WriteBoolean("accepted", accepted);
        json.WriteStartArray("scenarios");
        foreach (var result in results)
        {
            json.WriteStartObject();
            json.WriteString("scenario", result.Scenario);
            json.WriteString("approved_file", result.ApprovedFile);
            json.WriteNumber("cells", result.Runs.Count);
            json.WriteBoolean("matches", result.Matches);
            json.WriteBoolean("written", accepted && !result.Matches);
            if (result.Matches || accepted)
            {
                json.WriteNull("diff");
            }
            else
            {
                json.WriteString("diff", result.Diff());
            }

            json.WriteStartArray("failed_expectations");
            foreach (var run in result.Runs)
            {
                foreach (var e in run.FailedExpectations)
                {
                    json.WriteStartObject();
                    json.WriteString("cell", run.CellName);
                    json.WriteString("check", e.Check);
                    json.WriteString("actual", e.Actual);
                    json.WriteString("at", e.At.ToString());
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        var differ = results.Count(r => !r.Matches);
        json.WriteStartObject("totals");
        json.WriteNumber("scenarios", results.Count);
        json.WriteNumber("match", results.Count - differ);
        json.WriteNumber("differ", differ);
        json.WriteNumber("written", accepted ? differ : 0);
        json.WriteNumber("failed_expectations", results.Sum(r => r.Runs.Sum(run => run.FailedExpectations.Count())));
        json.WriteEndObject();
    });

    /// <summary>plugins: each plugin found (name, filesystem types, version, contract, folder), those set aside, and load errors.</summary>
    public static string Plugins(PluginSet plugins) => JsonOutput.Render(json =>
    {
        ArgumentNullException.ThrowIfNull(plugins);
        json.WriteStartArray("plugins");
        foreach (var plugin in plugins.Plugins)
        {
            json.WriteStartObject();
            json.WriteString("name", plugin.Name);
            JsonOutput.Strings(json, "filesystems", plugin.FileSystemTypes);
            json.WriteString("version", plugin.Version);
            json.WriteString("contract", plugin.Contract);
            json.WriteString("path", plugin.Folder);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        JsonOutput.Strings(json, "set_aside", plugins.Overridden);
        JsonOutput.Strings(json, "errors", plugins.Errors);
    });

    private static void Settings(Utf8JsonWriter json, RunReport run)
    {
        json.WriteStartObject("settings");
        foreach (var setting in run.Cell)
        {
            json.WriteString(setting.Path, setting.Value);
        }

        json.WriteEndObject();
    }
}
