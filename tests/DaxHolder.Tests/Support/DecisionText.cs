using System.Text;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Tests.Support;

/// <summary>
/// Slices of a machine's decision trace as the text report renders them (TextReport, the only
/// renderer), under a title and one heading per slice, for approved snapshots of tests that drive
/// the kernel model without a scenario file.
/// </summary>
internal static class DecisionText
{
    public static string Render(string title, IEnumerable<(string Step, IReadOnlyList<Decision> Decisions)> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var text = new StringBuilder();
        text.Append("# ").Append(title).Append('\n');
        foreach (var (step, decisions) in steps)
        {
            text.Append("\n## ").Append(step).Append('\n');
            text.Append(TextReport.Records(decisions));
        }

        return text.ToString();
    }
}
