using System.Globalization;
using System.Text;
using DaxHolder.Kernel.Trace;
using DaxHolder.Scenarios.Comparing;
using static DaxHolder.Scenarios.Reports.Html.HtmlText;

namespace DaxHolder.Scenarios.Reports.Html;

/// <summary>
/// The HTML rendering of a run (<c>--format html</c>): one self-contained page per invocation
/// with, for each cell, the machine, a map of the device after the last step (each file's extents
/// in its colour, metadata, shared blocks hatched, one marker per poisoned page), the process
/// table, and every step, an event as its call tree with the map after it. <see cref="Compare"/>
/// puts a comparison's rows side by side, the differing lines marked, then each cell in full.
/// Every string from the scenario or the model is escaped; nothing depends on time or the host,
/// so the same scenario gives byte-identical pages.
/// </summary>
internal static class HtmlReport
{
    /// <summary>The page for the runs of one scenario (one per cell).</summary>
    public static string Render(IReadOnlyList<RunReport> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var body = new StringBuilder();
        var first = runs.Count > 0 ? runs[0] : null;
        body.Append(CultureInfo.InvariantCulture, $"<header>\n<h1>scenario {H(first?.Scenario)}</h1>\n");
        if (first?.Description is { } description)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"desc\">{H(description)}</p>\n");
        }

        body.Append("</header>\n");
        Cells(body, runs);
        return HtmlPage.Wrap($"daxholder: {first?.Scenario}", body.ToString());
    }

    /// <summary>The page for a comparison: the rows side by side (differences first, differing lines marked), then each cell in full.</summary>
    public static string Compare(IReadOnlyList<RunReport> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var comparison = Comparison.Of(runs);
        var body = new StringBuilder();
        var differences = comparison.Differences.ToList();
        body.Append(CultureInfo.InvariantCulture, $"<header>\n<h1>compare {H(comparison.Scenario)}</h1>\n");
        if (runs.Count > 0 && runs[0].Description is { } description)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"desc\">{H(description)}</p>\n");
        }

        body.Append(CultureInfo.InvariantCulture, $"<p>{comparison.Cells.Count.ToString(CultureInfo.InvariantCulture)} cells: {H(string.Join(" | ", comparison.Cells))}</p>\n");
        body.Append(CultureInfo.InvariantCulture, $"<p>differences: {differences.Count.ToString(CultureInfo.InvariantCulture)} of {comparison.Rows.Count.ToString(CultureInfo.InvariantCulture)} rows</p>\n</header>\n");
        body.Append("<h2>Side by side: the rows that differ</h2>\n");
        Table(body, comparison, differences, "differs");
        var same = comparison.Same.ToList();
        body.Append(CultureInfo.InvariantCulture, $"<details class=\"step\"><summary>the same in every cell ({same.Count.ToString(CultureInfo.InvariantCulture)} rows)</summary>\n");
        foreach (var row in same)
        {
            body.Append(CultureInfo.InvariantCulture, $"<pre>{H(row.PerCell[0])}</pre>\n");
        }

        body.Append("</details>\n");
        Cells(body, runs);
        return HtmlPage.Wrap($"daxholder compare: {comparison.Scenario}", body.ToString());
    }

    private static void Table(StringBuilder body, Comparison comparison, List<ComparedRow> rows, string css)
    {
        if (rows.Count == 0)
        {
            body.Append("<p class=\"dim\">none: every cell decided the same</p>\n");
            return;
        }

        body.Append("<table class=\"compare\">\n<thead><tr><th>step</th>");
        foreach (var cell in comparison.Cells)
        {
            body.Append(CultureInfo.InvariantCulture, $"<th>{H(cell)}</th>");
        }

        body.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            // A line not in every cell's text is what differs: marked.
            var split = row.PerCell.Select(text => text.TrimEnd('\n').Split('\n')).ToList();
            var common = split.Skip(1).Aggregate(new HashSet<string>(split[0], StringComparer.Ordinal), (set, lines) =>
            {
                set.IntersectWith(lines);
                return set;
            });
            body.Append(CultureInfo.InvariantCulture, $"<tr class=\"{css}\"><th>{H(row.Label)}</th>");
            foreach (var lines in split)
            {
                body.Append("<td><pre>");
                body.AppendJoin('\n', lines.Select(l => common.Contains(l) ? H(l) : $"<mark>{H(l)}</mark>"));
                body.Append("</pre></td>");
            }

            body.Append("</tr>\n");
        }

        body.Append("</tbody>\n</table>\n");
    }

    private static void Cells(StringBuilder body, IReadOnlyList<RunReport> runs)
    {
        if (runs.Count > 1)
        {
            body.Append("<nav><ul>\n");
            for (var i = 0; i < runs.Count; i++)
            {
                body.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#cell-{(i + 1).ToString(CultureInfo.InvariantCulture)}\">{H(Name(runs[i]))}</a></li>\n");
            }

            body.Append("</ul></nav>\n");
        }

        for (var i = 0; i < runs.Count; i++)
        {
            Cell(body, runs[i], $"cell-{(i + 1).ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static string Name(RunReport run) => run.Cell.Count == 0 ? "as written" : run.CellName;

    private static void Cell(StringBuilder body, RunReport run, string id)
    {
        body.Append(CultureInfo.InvariantCulture, $"<section class=\"cell\" id=\"{id}\">\n<h2>cell: {H(Name(run))}</h2>\n<dl class=\"machine\">\n");
        body.Append(CultureInfo.InvariantCulture, $"<dt>kernel</dt><dd>{H(run.Kernel)}</dd>\n<dt>device</dt><dd>{H(run.Device)}</dd>\n");
        if (run.FileSystem is not null)
        {
            body.Append(CultureInfo.InvariantCulture, $"<dt>filesystem</dt><dd>{H(run.FileSystem)}</dd>\n");
        }

        body.Append("</dl>\n");
        var maps = run.Steps.Where(s => s.Map is not null).ToList();
        var colours = new MapColours(maps.SelectMany(s => s.Map!.Files).Select(f => f.Inode));
        if (maps.Count > 0)
        {
            var last = maps[^1];
            body.Append(CultureInfo.InvariantCulture, $"<h3>Device map after {H(ProcessTable.StepLabel(last))}</h3>\n");
            DeviceMapSvg.Render(body, last.Map!, colours, $"{id}-map");
        }

        body.Append("<h3>Processes</h3>\n");
        ProcessTable.Render(body, run);
        body.Append("<h3>Steps</h3>\n");
        foreach (var step in run.Steps)
        {
            Step(body, step, colours, $"{id}-step{step.Number.ToString(CultureInfo.InvariantCulture)}");
        }

        if (run.Fault is { } fault)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"fault\">plugin fault: {H(fault.ToString())}<br>the cell stopped here: a plugin fault ends it (exit 3)</p>\n");
        }

        var checks = run.Steps.Sum(s => s.Expectations.Count);
        if (checks > 0)
        {
            var failed = run.FailedExpectations.Count();
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"{(failed == 0 ? "ok" : "fail")}\">expectations: {(checks - failed).ToString(CultureInfo.InvariantCulture)} held, {failed.ToString(CultureInfo.InvariantCulture)} failed</p>\n");
        }

        body.Append("</section>\n");
    }

    private static void Step(StringBuilder body, StepReport step, MapColours colours, string id)
    {
        var label = ProcessTable.StepLabel(step);
        var open = step.IsEvent || step.Expectations.Any(e => !e.Held) ? " open" : "";
        body.Append(CultureInfo.InvariantCulture, $"<details class=\"step{(step.IsEvent ? " event" : "")}\" id=\"{id}\"{open}><summary>{H(label)}: {H(step.What)} =&gt; {H(step.Result.ToString())}</summary>\n");
        if (step.IsEvent)
        {
            CallTree.Render(body, CallTree.Build(label, step.Decisions));
        }
        else
        {
            var lines = DecisionFormatter.Format(step.Decisions).Where(v => v.Text is not null).ToList();
            if (lines.Count > 0)
            {
                body.Append("<ul class=\"tree\">\n");
                foreach (var view in lines)
                {
                    body.Append(CultureInfo.InvariantCulture, $"<li><span class=\"stage\">{H(view.Kind)}</span> {H(view.Text)}</li>\n");
                }

                body.Append("</ul>\n");
            }
        }

        var log = step.Decisions.OfType<LogPrinted>().Select(l => l.Line.Text).ToList();
        if (log.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"<p class=\"dim\">log:</p>\n<pre class=\"log\">{H(string.Join('\n', log))}</pre>\n");
        }

        if (step.Expectations.Count > 0)
        {
            body.Append("<ul class=\"expect\">\n");
            foreach (var e in step.Expectations)
            {
                body.Append(e.Held
                    ? $"<li class=\"ok\">ok {H(e.Check)}</li>\n"
                    : $"<li class=\"fail\">FAIL {H(e.Check)}: {H(e.Actual)} ({H(e.At.ToString())})</li>\n");
            }

            body.Append("</ul>\n");
        }

        if (step.IsEvent && step.Map is { } map)
        {
            body.Append("<details><summary>the device after this event</summary>\n");
            DeviceMapSvg.Render(body, map, colours, $"{id}-map");
            body.Append("</details>\n");
        }

        body.Append("</details>\n");
    }
}
