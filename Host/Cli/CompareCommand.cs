using System.CommandLine;
using DaxHolder.Scenarios.Comparing;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Reports.Html;
using DaxHolder.Scenarios.Running;
using Spectre.Console;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder compare &lt;scenario&gt; --vary path=v1,v2 ...</c>: run the matrix and show the
/// decisions side by side, the steps that differ first.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var scenario = new Argument<string>("scenario") { Description = "The scenario file (YAML)." };
        var vary = new Option<string[]>("--vary")
        {
            Description = "An axis: PATH=V1,V2,... (e.g. filesystem.mkfs.reflink=1,0, kernel=6.1,6.12, filesystem.type=xfs,ext4). Repeatable; added to (or replacing) the scenario's own matrix.",
            HelpName = "PATH=V1,V2",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var width = new Option<int?>("--width")
        {
            Description = $"Columns to lay the text out in (default: the terminal's width, or {ComparisonLayout.DefaultWidth} when output is not a terminal). Cells that do not fit side by side are printed one under another.",
            HelpName = "COLUMNS",
        };
        width.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 20 or > 10000)
            {
                result.AddError("--width must be between 20 and 10000 columns");
            }
        });
        var command = new Command("compare", "Run a scenario across a matrix and print the decisions side by side, differences first.");
        command.Arguments.Add(scenario);
        command.Options.Add(vary);
        command.Options.Add(width);
        var options = new ScenarioOptions();
        options.AddTo(command);
        command.SetAction(parsed => Run(parsed, parsed.GetValue(scenario)!, parsed.GetValue(vary) ?? [], parsed.GetValue(width), options, global, context));
        return command;
    }

    private static int Run(ParseResult parsed, string file, string[] vary, int? width, ScenarioOptions options, GlobalOptions global, CliContext context)
    {
        try
        {
            var document = ScenarioDocument.Load(file);
            var axes = vary.Select(v => Axis(file, v)).ToList();
            var cells = document.Cells(options.Settings(parsed, file), axes);
            if (cells.Count < 2)
            {
                throw new ScenarioException(new SourceLocation(file, 0, 0, "--vary"), "nothing to compare: give --vary PATH=V1,V2 (or a scenario with a matrix)");
            }

            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context, PluginSet.FileSystemsOf([(document, cells)]));
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var format = parsed.GetValue(options.Format);
            var runner = new ScenarioRunner(plugins, global.Deadline(parsed)) { TakeDeviceMaps = format == "html" };
            var runs = ScenarioOptions.WithProgress(context, cells.Count, $"comparing {document.Name}", done => runner.RunAll(document, cells, done));
            if (format == "json")
            {
                context.Output.Write(CommandJson.Compare(Comparison.Of(runs), runs));
            }
            else if (format == "html")
            {
                context.Output.Write(HtmlReport.Compare(runs));
            }
            else
            {
                Render(Comparison.Of(runs), width, context);
            }

            return ScenarioOptions.Faults(runs, context, ExitCodes.Ok);
        }
        catch (ScenarioException e)
        {
            return ScenarioOptions.Fail(context, e);
        }
    }

    private static MatrixAxis Axis(string file, string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var values = eq < 0 ? [] : text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return eq > 0 && values.Length > 0
            ? new MatrixAxis(text[..eq].Trim(), values)
            : throw new ScenarioException(new SourceLocation(file, 0, 0, "--vary " + text), "an axis is PATH=V1,V2,...");
    }

    /// <summary>
    /// The text output: the headings and the rows alike in every cell as plain lines, the differing
    /// rows as a table when it fits the width (the terminal's, --width, or 120 columns), else one
    /// cell under another.
    /// </summary>
    private static void Render(Comparison comparison, int? width, CliContext context)
    {
        var output = context.Output;
        var differences = comparison.Differences.ToList();
        output.Write($"compare: {comparison.Scenario}, {comparison.Cells.Count} cells: {string.Join(" | ", comparison.Cells)}\n");
        output.Write($"differences: {differences.Count} of {comparison.Rows.Count} rows\n");
        if (differences.Count > 0)
        {
            var console = PluginsCommand.ConsoleFor(context);
            console.Profile.Width = width ?? (context.IsTerminal ? console.Profile.Width : ComparisonLayout.DefaultWidth);
            if (ComparisonLayout.For(comparison, console.Profile.Width) == ComparisonLayoutKind.Stacked)
            {
                output.Write($"(the cells do not fit side by side in {console.Profile.Width} columns: one under another)\n\n");
                output.Write(ComparisonLayout.Stacked(comparison));
            }
            else
            {
                console.Write(Table(comparison, differences));
            }
        }

        output.Write("\nthe same in every cell:\n");
        foreach (var row in comparison.Same)
        {
            output.Write(row.PerCell[0]);
        }
    }

    private static Table Table(Comparison comparison, List<ComparedRow> differences)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("step");
        foreach (var cell in comparison.Cells)
        {
            table.AddColumn(Markup.Escape(cell));
        }

        foreach (var row in differences)
        {
            table.AddRow([Markup.Escape(row.Label), .. row.PerCell.Select(text => Markup.Escape(text.TrimEnd('\n')))]);
        }

        return table;
    }
}
