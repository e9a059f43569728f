using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder oracle run SCENARIO --kernel K [--cell PATH=VALUE]...</c>: run the scenario on a
/// real Debian kernel under QEMU and print the real outcome, then its differences from the
/// model's prediction. Exit 0 when they agree, 1 when they differ, 2 on bad input or a machine
/// not set up for it (missing QEMU or packages), 3 when the model's plugin faulted.
/// </summary>
internal static class OracleCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var oracle = new Command("oracle", "Run scenarios on real Debian kernels under QEMU (an emulated NVDIMM) and compare with the model.");
        oracle.Subcommands.Add(CreateRun(global, context));
        return oracle;
    }

    private static Command CreateRun(GlobalOptions global, CliContext context)
    {
        var scenario = new Argument<string>("scenario") { Description = "The scenario file (YAML)." };
        var options = new OracleOptions();
        var command = new Command("run", "Boot the real kernel, run one scenario (each remaining cell of its matrix: one boot each), print what happened and how it differs from the model.");
        command.Arguments.Add(scenario);
        options.AddTo(command);
        command.SetAction(parsed => Run(parsed, parsed.GetValue(scenario)!, options, global, context));
        return command;
    }

    private static int Run(ParseResult parsed, string file, OracleOptions options, GlobalOptions global, CliContext context)
    {
        try
        {
            var kernel = options.Kernel(parsed, file);
            var document = ScenarioDocument.Load(file);
            var pinned = options.Cells(parsed, file);
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context);
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var runner = new OracleRunner(OracleCache.FromEnvironment(), context.Error, options.Timeout(parsed), parsed.GetValue(options.Keep));
            var runs = runner.Run(document, kernel, pinned);
            var exit = ExitCodes.Ok;
            foreach (var run in runs)
            {
                var (comparison, noModel, fault) = OracleOptions.CompareWithModel(plugins, document, run, kernel);
                context.Output.Write(OracleReport.Render(run.Outcome, run.Case.Notes, comparison, noModel));
                context.Output.WriteLine($"console: {run.ConsoleFile}");
                context.Output.WriteLine();
                if (fault is not null)
                {
                    context.Error.WriteLine($"daxholder: {fault}");
                    exit = ExitCodes.PluginFault;
                }
                else if (exit == ExitCodes.Ok && (run.Outcome.Problems.Count > 0 || comparison is { Differences.Count: > 0 }))
                {
                    exit = ExitCodes.DecisionsDiffer;
                }
            }

            return exit;
        }
        catch (ScenarioException e)
        {
            return ScenarioOptions.Fail(context, e);
        }
        catch (OracleException e)
        {
            context.Error.WriteLine($"daxholder: oracle: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
