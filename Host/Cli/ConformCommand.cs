using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder conform [DIR]</c>: run the model on every recorded real outcome under DIR
/// (default conformance/) and compare item by item. Prints per kernel "6.12: agree N/M" and each
/// difference; exit 1 when a difference is not listed with a reason in DIR/known-gaps.yaml.
/// </summary>
internal static class ConformCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var folder = new Argument<string>("dir") { Description = "The conformance folder (records under DIR/<kernel>/*.json).", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "conformance" };
        var command = new Command("conform", "Hold the model against real-kernel outcomes recorded by 'daxholder oracle record'.");
        command.Arguments.Add(folder);
        command.SetAction(parsed => Run(parsed, parsed.GetValue(folder)!, global, context));
        return command;
    }

    private static int Run(ParseResult parsed, string folder, GlobalOptions global, CliContext context)
    {
        try
        {
            var gaps = KnownGap.Load(Path.Combine(folder, "known-gaps.yaml"));
            var records = Conformance.Read(folder);
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context, Conformance.FileSystems(records));
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var gapsFile = Path.Combine(folder, "known-gaps.yaml");
            var report = ConformReport.Build(Conformance.Check(records, plugins), gaps, gapsFile);
            context.Output.Write(report.Text);
            return report.Unexplained > 0 ? ExitCodes.DecisionsDiffer : ExitCodes.Ok;
        }
        catch (ScenarioException e)
        {
            return ScenarioOptions.Fail(context, e);
        }
        catch (Exception e) when (e is OracleException or FormatException)
        {
            context.Error.WriteLine($"daxholder: conform: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
