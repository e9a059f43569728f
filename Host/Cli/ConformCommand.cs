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
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context);
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var cases = Conformance.Check(folder, plugins);
            var unexplained = 0;
            foreach (var kernel in cases.GroupBy(c => c.Kernel))
            {
                var compared = kernel.Where(c => c.Comparison is not null).ToList();
                context.Output.WriteLine(compared.Count == 0
                    ? $"{kernel.Key}: nothing compared ({kernel.Count()} cases)"
                    : $"{kernel.Key}: agree {compared.Sum(c => c.Comparison!.Agreed)}/{compared.Sum(c => c.Comparison!.Compared)} ({kernel.Count()} cases)");
                foreach (var c in kernel)
                {
                    var name = Path.GetFileName(c.RecordFile);
                    if (c.Error is not null)
                    {
                        context.Output.WriteLine($"  {name}: not compared: {c.Error}");
                        unexplained += c.ErrorFails ? 1 : 0;
                        continue;
                    }

                    foreach (var problem in c.Real.Problems)
                    {
                        context.Output.WriteLine($"  {name}: the recorded run had a problem: {problem}");
                        unexplained++;
                    }

                    foreach (var d in c.Comparison!.Differences)
                    {
                        var gap = gaps.FirstOrDefault(g => g.Covers(kernel.Key, c.Real, d));
                        context.Output.WriteLine($"  {name}: {d}{(gap is null ? "" : $" (known gap: {gap.Reason})")}");
                        unexplained += gap is null ? 1 : 0;
                    }
                }
            }

            if (unexplained > 0)
            {
                context.Output.WriteLine($"{unexplained} difference(s) not listed in {Path.Combine(folder, "known-gaps.yaml")}");
            }

            return unexplained > 0 ? ExitCodes.DecisionsDiffer : ExitCodes.Ok;
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
