using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Reports.Html;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder run [scenario]</c> and <c>daxholder demo</c>: run a scenario (every cell of its
/// matrix) and print its decisions. Exit 1 when an inline expectation does not hold.
/// </summary>
internal static class RunCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var scenario = new Argument<string?>("scenario") { Description = "The scenario file (YAML). Without one, the demo.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("run", "Run a scenario and print the kernel's decisions: signals, unmaps, filesystem state, log lines.");
        command.Arguments.Add(scenario);
        var options = new ScenarioOptions();
        options.AddTo(command);
        command.SetAction(parsed => Run(parsed, parsed.GetValue(scenario), options, global, context));
        return command;
    }

    public static Command CreateDemo(GlobalOptions global, CliContext context)
    {
        var command = new Command("demo", $"Run the demo scenario ({DemoScenario.Path}): xfs/551's reflinked files, on the shipped plugins.");
        var options = new ScenarioOptions();
        options.AddTo(command);
        command.SetAction(parsed => Run(parsed, null, options, global, context));
        return command;
    }

    private static int Run(ParseResult parsed, string? file, ScenarioOptions options, GlobalOptions global, CliContext context)
    {
        try
        {
            var document = file is null ? DemoScenario.Load() : ScenarioDocument.Load(file);
            var cells = document.Cells(options.Settings(parsed, document.File));
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context, PluginSet.FileSystemsOf([(document, cells)]));
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var format = parsed.GetValue(options.Format);
            var runner = new ScenarioRunner(plugins, global.Deadline(parsed)) { TakeDeviceMaps = format == "html" };
            // Text is written as the run goes (each step once it is done); JSON and HTML are one
            // document each, written at the end.
            var stream = format is "json" or "html" ? null : new TextReportStream(context.Output);
            runner.CheckCells(document, cells);
            var runs = ScenarioOptions.WithProgress(context, cells.Count, $"running {document.Name}", done => runner.RunAll(document, cells, done, stream));
            if (stream is null)
            {
                context.Output.Write(format == "json" ? JsonReport.Render(runs) : HtmlReport.Render(runs));
            }

            return ScenarioOptions.Faults(runs, context, runs.All(r => r.ExpectationsHeld) ? ExitCodes.Ok : ExitCodes.DecisionsDiffer);
        }
        catch (ScenarioException e)
        {
            return ScenarioOptions.Fail(context, e);
        }
    }
}
