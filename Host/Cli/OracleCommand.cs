using System.CommandLine;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Oracle;
using DaxHolder.Scenarios.Running;

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
        oracle.Subcommands.Add(CreateRecord(context));
        return oracle;
    }

    private static Command CreateRecord(CliContext context)
    {
        var scenarios = new Argument<string[]>("scenarios") { Description = "The scenario files (YAML).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The conformance folder: records go to DIR/<kernel>/.", HelpName = "DIR", DefaultValueFactory = _ => "conformance" };
        var options = new OracleOptions();
        var command = new Command("record", "Boot the real kernel for each scenario cell and write its outcome as JSON (schemaVersion, one file per cell) under DIR/<kernel>/.");
        command.Arguments.Add(scenarios);
        command.Options.Add(output);
        options.AddTo(command);
        command.SetAction(parsed => Record(parsed, parsed.GetValue(scenarios) ?? [], parsed.GetValue(output)!, options, context));
        return command;
    }

    private static int Record(ParseResult parsed, string[] files, string output, OracleOptions options, CliContext context)
    {
        return Guarded(context, () =>
        {
            var kernel = options.Kernel(parsed, files.FirstOrDefault() ?? "?");
            var documents = files.Select(ScenarioDocument.Load).ToList();
            var pinned = options.Cells(parsed, files.FirstOrDefault() ?? "?");
            foreach (var document in documents)
            {
                // every cell of every scenario compiles before the first boot: bad input costs no boot
                foreach (var (_, binding) in OracleRunner.Cells(document, kernel, pinned))
                {
                    GuestCompiler.Compile(document.Bind(binding));
                }
            }

            var runner = new OracleRunner(OracleCache.FromEnvironment(), context.Error, options.Timeout(parsed), parsed.GetValue(options.Keep));
            var exit = ExitCodes.Ok;
            foreach (var document in documents)
            {
                foreach (var run in runner.Run(document, kernel, pinned))
                {
                    var path = OracleRecord.Write(Path.Combine(output, kernel.Name), run.Outcome, Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(document.File)));
                    context.Output.WriteLine($"{path}: {run.Outcome.Steps.Count} steps, boot {run.Outcome.Seconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} s{(run.Outcome.Problems.Count > 0 ? "; problems: " + string.Join("; ", run.Outcome.Problems) : "")}");
                    if (run.Outcome.Problems.Count > 0)
                    {
                        exit = ExitCodes.DecisionsDiffer;
                    }
                }
            }

            return exit;
        });
    }

    private static Command CreateRun(GlobalOptions global, CliContext context)
    {
        var scenario = new Argument<string>("scenario") { Description = "The scenario file (YAML)." };
        var options = new OracleOptions();
        var command = new Command("run", "Boot the real kernel, run one scenario (each remaining cell of its matrix: one boot each), print what happened and how it differs from the model.");
        command.Arguments.Add(scenario);
        options.AddTo(command);
        command.Options.Add(options.Script);
        command.SetAction(parsed => Run(parsed, parsed.GetValue(scenario)!, options, global, context));
        return command;
    }

    private static int Run(ParseResult parsed, string file, OracleOptions options, GlobalOptions global, CliContext context)
    {
        return Guarded(context, () =>
        {
            var kernel = options.Kernel(parsed, file);
            var document = ScenarioDocument.Load(file);
            var pinned = options.Cells(parsed, file);
            if (parsed.GetValue(options.Script))
            {
                foreach (var (shown, binding) in OracleRunner.Cells(document, kernel, pinned))
                {
                    context.Output.WriteLine($"# cell: {(shown.Count == 0 ? "(the only one)" : string.Join(' ', shown))}");
                    context.Output.Write(GuestCompiler.Compile(document.Bind(binding)).Script);
                }

                return ExitCodes.Ok;
            }

            var cells = OracleRunner.Cells(document, kernel, pinned).Select(c => c.Binding);
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context, PluginSet.FileSystemsOf([(document, cells)]));
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var runner = new OracleRunner(OracleCache.FromEnvironment(), context.Error, options.Timeout(parsed), parsed.GetValue(options.Keep));
            var runs = runner.Run(document, kernel, pinned);
            var exit = ExitCodes.Ok;
            foreach (var run in runs)
            {
                var (comparison, noModel, fault) = ModelPrediction.CompareWithModel(plugins, document, run, kernel);
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
        });
    }

    /// <summary>Runs an oracle command: a scenario's located error and an oracle error (a missing tool, a failed download) are bad input, exit 2.</summary>
    private static int Guarded(CliContext context, Func<int> body)
    {
        try
        {
            return body();
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
