using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Comparing;

/// <summary>One row of a comparison: a step (or the machine header) as each cell rendered it.</summary>
/// <param name="Label">"machine", "setup", "event 7 madvise-hwpoison".</param>
/// <param name="PerCell">The rendered text in each cell, in cell order.</param>
internal sealed record ComparedRow(string Label, IReadOnlyList<string> PerCell)
{
    public bool Differs => PerCell.Distinct(StringComparer.Ordinal).Count() > 1;
}

/// <summary>
/// daxholder compare: one scenario over a matrix, lined up step by step so the cells can be read
/// side by side; rows that differ come first (the answer to "what does reflink change?").
/// </summary>
internal sealed record Comparison(string Scenario, IReadOnlyList<string> Cells, IReadOnlyList<ComparedRow> Rows)
{
    public IEnumerable<ComparedRow> Differences => Rows.Where(r => r.Differs);

    public IEnumerable<ComparedRow> Same => Rows.Where(r => !r.Differs);

    /// <summary>Lines up the runs (one per cell, all of one scenario) by step number.</summary>
    public static Comparison Of(IReadOnlyList<RunReport> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var rows = new List<ComparedRow>
        {
            new("machine", runs.Select(r => $"kernel: {r.Kernel}\ndevice: {r.Device}\n{(r.FileSystem is null ? "" : $"filesystem: {r.FileSystem}\n")}").ToList()),
        };
        var steps = runs.Max(r => r.Steps.Count);
        for (var i = 0; i < steps; i++)
        {
            var first = runs.Select(r => r.Steps.ElementAtOrDefault(i)).First(s => s is not null)!;
            var label = first.Number == 0 ? "setup" : $"{(first.IsEvent ? "event" : "step")} {first.Number} {first.Kind}";
            rows.Add(new ComparedRow(label, runs.Select(r => r.Steps.ElementAtOrDefault(i) is { } s ? TextReport.Step(s) : "(no such step)\n").ToList()));
        }

        if (runs.Any(r => r.Fault is not null))
        {
            rows.Add(new ComparedRow("plugin fault", runs.Select(r => r.Fault is { } f ? $"plugin fault: {f}\n" : "(none)\n").ToList()));
        }

        var name = runs.Count == 0 ? "" : runs[0].Scenario;
        return new Comparison(name, runs.Select(r => r.CellName.Length == 0 ? "(as written)" : r.CellName).ToList(), rows);
    }
}
