using System.Text.Json;
using DaxHolder.Cli;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// Every scenario in scenarios/, over its declared matrix, holds its decisions in an approved
/// snapshot per cell; the shipped approved files beside the scenarios pass `daxholder check`.
/// </summary>
public class ScenarioSnapshotTests
{
    /// <summary>(scenario file relative to scenarios/, cell as "path=value;...") for every cell of every scenario.</summary>
    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(ScenarioHarness.ScenariosDirectory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(ScenarioHarness.ScenariosDirectory, file).Replace('\\', '/');
            foreach (var cell in ScenarioDocument.Load(file).Cells([]))
            {
                data.Add(relative, string.Join(';', cell.Select(s => s.ToString())));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Decisions_MatchApproved(string scenario, string cell)
    {
        var settings = cell.Length == 0 ? [] : cell.Split(';').Select(ScenarioSetting.Parse).ToList();

        var run = ScenarioHarness.RunFile(Path.Combine(ScenarioHarness.ScenariosDirectory, scenario), settings);

        TextReport.Render(run).ShouldMatchApprovedText(SnapshotName(scenario, settings));
        run.FailedExpectations.Select(e => $"{e.Check}: {e.Actual} ({e.At})").ShouldBeEmpty("the scenario's inline expectations state what the suite it reproduces asserts");
    }

    [Fact]
    public void Check_OfTheShippedScenarios_Passes()
    {
        var (exit, output, error) = CliRun.Run("check", ScenarioHarness.ScenariosDirectory);

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok, output);
        output.ShouldEndWith("differ, 0 expectation(s) failed\n");
    }

    [Fact]
    public void Demo_RunsTheShippedDemoScenario()
    {
        var (exit, output, error) = CliRun.Run("demo");

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldBe(TextReport.Render(ScenarioHarness.RunFile(Path.Combine(ScenarioHarness.RepoRoot, DemoScenario.Path), [])));
    }

    [Fact]
    public void Schema_NamesEveryStepKind_TheParserKnows()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(ScenarioHarness.ScenariosDirectory, "scenario.schema.json")));

        var kinds = schema.RootElement.GetProperty("properties").GetProperty("steps").GetProperty("items").GetProperty("oneOf").EnumerateArray()
            .Select(s => s.GetProperty("required")[0].GetString()).ToList();

        kinds.ShouldBe(ScenarioParser.StepKinds, ignoreOrder: true);
    }

    /// <summary>
    /// A stable file-name part per cell: "xfstests.xfs-551.kernel=6.1.reflink=0". A value that is
    /// not file-name safe ("inodes /a") has its other characters replaced: "metadata=inodes__a".
    /// </summary>
    private static string SnapshotName(string scenario, IReadOnlyList<ScenarioSetting> cell) =>
        string.Join('.', [scenario[..^".yaml".Length].Replace('/', '.'), .. cell.Select(s => $"{s.Path.Split('.')[^1]}={FileNameSafe(s.Value)}")]);

    private static string FileNameSafe(string value) =>
        string.Concat(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' ? c : '_'));
}
