using System.CommandLine;
using System.Globalization;
using DaxHolder.Scenarios.Fuzzing;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder fuzz [DIR] --seed N --count N --time-bound S --findings DIR</c>: mutate the
/// scenarios under DIR and run each mutant in process; the logic is in Scenarios/Fuzzing. Exit 0
/// when nothing was found, 1 with findings (each saved under --findings), 2 on bad input.
/// </summary>
internal static class FuzzCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var folder = new Argument<string>("dir") { Description = "Scenarios to mutate: a file, or a directory searched for *.yaml.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "scenarios" };
        var seed = new Option<ulong>("--seed") { Description = "The seed: the same scenarios, seed and count give the same mutants.", DefaultValueFactory = _ => 1, HelpName = "N" };
        var count = new Option<int>("--count") { Description = "How many mutants to run.", DefaultValueFactory = _ => 1000, HelpName = "N" };
        var timeBound = new Option<double>("--time-bound") { Description = "Seconds one mutant may take before it is a finding.", DefaultValueFactory = _ => 10, HelpName = "S" };
        var findings = new Option<string>("--findings") { Description = "Where each finding is saved: the mutant (.yaml) and what went wrong (.txt).", DefaultValueFactory = _ => "fuzz-findings", HelpName = "DIR" };
        var command = new Command("fuzz", "Mutate scenarios and run each mutant: anything but a located error or decisions (a crash, a plugin fault, a time or memory bound passed) is a finding.");
        command.Arguments.Add(folder);
        foreach (var option in new Option[] { seed, count, timeBound, findings })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed => Run(parsed, parsed.GetValue(folder)!, new FuzzOptions(parsed.GetValue(seed), parsed.GetValue(count), TimeSpan.FromSeconds(parsed.GetValue(timeBound))), parsed.GetValue(findings)!, global, context));
        return command;
    }

    private static int Run(ParseResult parsed, string folder, FuzzOptions options, string findingsFolder, GlobalOptions global, CliContext context)
    {
        if (options.Count < 1 || options.TimeBound <= TimeSpan.Zero || options.TimeBound.TotalDays > 1)
        {
            context.Error.WriteLine("daxholder: fuzz: --count must be at least 1 and --time-bound between 0 and 86400 seconds");
            return ExitCodes.BadInput;
        }

        try
        {
            var sources = FuzzSources.Find([folder]);
            if (sources.Count == 0)
            {
                context.Error.WriteLine($"daxholder: fuzz: no scenario (*.yaml) under {folder}");
                return ExitCodes.BadInput;
            }

            // Every plugin: a mutant may name any filesystem type, and what it runs against must
            // not depend on which types the unmutated scenarios happened to use.
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context, fileSystems: null);
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var fuzzer = new Fuzzer(plugins, global.Deadline(parsed));
            var summary = ScenarioOptions.WithProgress(context, options.Count, "fuzzing", _ => fuzzer.Run(sources, options, finding =>
            {
                var saved = FuzzFindings.Save(findingsFolder, finding);
                context.Output.WriteLine($"finding {finding.Number.ToString(CultureInfo.InvariantCulture)}: {finding.Source} ({finding.Mutation}): {finding.Summary} (saved as {saved})");
            }));
            context.Output.WriteLine($"fuzz: {summary.Mutants} mutant(s) of {sources.Count} scenario(s), seed {options.Seed}: {summary.Refused} refused with a located error, {summary.Ran} ran, {summary.Findings.Count} finding(s)");
            return summary.Findings.Count == 0 ? ExitCodes.Ok : ExitCodes.DecisionsDiffer;
        }
        catch (ScenarioException e)
        {
            return ScenarioOptions.Fail(context, e);
        }
    }
}
