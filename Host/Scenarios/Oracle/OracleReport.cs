using System.Globalization;
using System.Text;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// The text of <c>daxholder oracle run</c>: the real outcome step by step (result, the signals
/// the handlers saw, exits, action results, shutdown, health, the memory-failure log lines), then
/// the differences from the model's prediction for the same cell.
/// </summary>
internal static class OracleReport
{
    public static string Render(CellOutcome real, IReadOnlyList<string> notes, ComparisonResult? comparison, string? noModel)
    {
        ArgumentNullException.ThrowIfNull(real);
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"oracle: {real.Scenario} on {real.Kernel} ({(real.Release.Length == 0 ? "?" : real.Release)})");
        s.Append(real.Cell.Count > 0 ? $" [{real.CellName}]" : "").Append(CultureInfo.InvariantCulture, $", boot {real.Seconds:0.0} s\n");
        foreach (var line in real.Setup)
        {
            s.Append("  ").Append(line).Append('\n');
        }

        foreach (var step in real.Steps)
        {
            s.Append(CultureInfo.InvariantCulture, $"{(step.Number == 0 ? "setup" : step.Kind == "teardown" ? "teardown" : $"step {step.Number} {step.Kind}")}");
            s.Append(step.Result is null ? "" : $" => {step.Result}").Append('\n');
            foreach (var signal in step.Signals)
            {
                s.Append("    signal     ").Append(signal).Append('\n');
            }

            foreach (var exit in step.Exits)
            {
                s.Append("    exit       ").Append(exit).Append('\n');
            }

            foreach (var action in step.ActionResults)
            {
                s.Append("    action     ").Append(action).Append('\n');
            }

            if (step.Shutdown)
            {
                s.Append("    shutdown   the filesystem shut down\n");
            }

            if (step.Health != "clean")
            {
                s.Append("    health     ").Append(step.Health).Append('\n');
            }

            if (step.Log.Count > 0)
            {
                s.Append("  log:\n");
                foreach (var line in step.Log)
                {
                    s.Append("    ").Append(line).Append('\n');
                }
            }
        }

        foreach (var problem in real.Problems)
        {
            s.Append("problem: ").Append(problem).Append('\n');
        }

        foreach (var note in notes)
        {
            s.Append("note: ").Append(note).Append('\n');
        }

        if (noModel is not null)
        {
            s.Append("model: ").Append(noModel).Append('\n');
        }
        else if (comparison is not null)
        {
            s.Append(CultureInfo.InvariantCulture, $"model ({real.Kernel}): agree {comparison.Agreed}/{comparison.Compared}\n");
            foreach (var d in comparison.Differences)
            {
                s.Append("  differs: ").Append(d).Append('\n');
            }
        }

        return s.ToString();
    }
}
