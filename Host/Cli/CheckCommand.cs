using System.CommandLine;
using DaxHolder.Scenarios.Approval;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Scenarios.Running;

namespace DaxHolder.Cli;

/// <summary>
/// <c>daxholder check &lt;dir or files&gt;... [--accept]</c>: each scenario's decisions against
/// <c>&lt;name&gt;.approved.txt</c> beside it. Exit 1 with a unified diff when they differ (or an
/// expectation fails); --accept writes the approved files, and is refused when CI=true.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var paths = new Argument<string[]>("paths") { Description = "Scenario files, or directories searched for *.yaml.", Arity = ArgumentArity.OneOrMore };
        var accept = new Option<bool>("--accept") { Description = "Write each scenario's decisions as its approved file (refused when CI=true)." };
        var format = ScenarioOptions.FormatOption();
        var command = new Command("check", "Check scenarios' decisions against their approved snapshots (<name>.approved.txt beside each).");
        command.Arguments.Add(paths);
        command.Options.Add(accept);
        command.Options.Add(format);
        command.SetAction(parsed => Run(parsed.GetValue(paths) ?? [], parsed.GetValue(accept), parsed.GetValue(format) == "json", parsed, global, context));
        return command;
    }

    private static int Run(string[] paths, bool accept, bool json, ParseResult parsed, GlobalOptions global, CliContext context)
    {
        if (accept && ApprovalCheck.RefusesAccept(context.CiVariable))
        {
            context.Error.WriteLine("daxholder: check --accept is refused when CI=true: approve decisions on a workstation and commit the approved files");
            return ExitCodes.BadInput;
        }

        try
        {
            var files = ApprovalCheck.FindScenarios(paths);
            var documents = files.Select(ScenarioDocument.Load).ToList();
            var cells = documents.Select(d => d.Cells([])).ToList();
            using var plugins = ScenarioOptions.LoadPlugins(parsed, global, context, PluginSet.FileSystemsOf(documents.Select((d, i) => (d, (IEnumerable<IReadOnlyList<ScenarioSetting>>)cells[i]))));
            if (plugins is null)
            {
                return ExitCodes.BadInput;
            }

            var runner = new ScenarioRunner(plugins, global.Deadline(parsed));
            var results = ScenarioOptions.WithProgress(context, cells.Sum(c => c.Count), "checking scenarios", done =>
                documents.Select((d, i) => ApprovalCheck.Check(d.File, runner.RunAll(d, cells[i], done))).ToList());
            return Report(results, accept, json, context);
        }
        catch (ScenarioException e)
        {
            return ScenarioOptions.Fail(context, e);
        }
    }

    private static int Report(List<ApprovalResult> results, bool accept, bool json, CliContext context)
    {
        var differ = results.Where(r => !r.Matches).ToList();
        var failed = results.SelectMany(r => r.Runs.SelectMany(run => run.FailedExpectations.Select(e => (r.Scenario, Run: run, Expectation: e)))).ToList();
        if (json)
        {
            if (accept)
            {
                ApprovalCheck.AcceptAll(differ);
            }

            context.Output.Write(CommandJson.Check(results, accept));
        }
        else
        {
            Text(results, differ, failed, accept, context);
        }

        return ScenarioOptions.Faults(results.SelectMany(r => r.Runs), context,
            (accept || differ.Count == 0) && failed.Count == 0 ? ExitCodes.Ok : ExitCodes.DecisionsDiffer);
    }

    private static void Text(List<ApprovalResult> results, List<ApprovalResult> differ, List<(string Scenario, RunReport Run, ExpectationOutcome Expectation)> failed, bool accept, CliContext context)
    {
        foreach (var result in accept ? [] : differ)
        {
            context.Output.Write(result.Diff());
        }

        foreach (var (scenario, run, e) in failed)
        {
            context.Output.WriteLine($"{scenario}{(run.Cell.Count == 0 ? "" : $" [{run.CellName}]")}: expectation failed: {e.Check}: {e.Actual} ({e.At})");
        }

        if (accept)
        {
            ApprovalCheck.AcceptAll(differ);
            context.Output.WriteLine($"check: {results.Count} scenario(s), {differ.Count} approved file(s) written, {failed.Count} expectation(s) failed");
        }
        else
        {
            context.Output.WriteLine($"check: {results.Count} scenario(s), {results.Count - differ.Count} match, {differ.Count} differ, {failed.Count} expectation(s) failed");
        }
    }
}
