using System.Text.RegularExpressions;
using DaxHolder.Cli;
using DaxHolder.Scenarios.Oracle;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Oracle;

/// <summary>The model held against the real outcomes recorded in conformance/ (no QEMU: the records are read).</summary>
public class ConformanceTests
{
    private static readonly string Folder = Path.Combine(ScenarioHarness.RepoRoot, "conformance");

    [Fact]
    public void TheModel_ConformsToEveryRecordedRealOutcome_OrTheGapIsExplained()
    {
        var (exit, output, error) = CliRun.Run("conform", Folder);

        error.ShouldBeEmpty();
        exit.ShouldBe(ExitCodes.Ok, output);
        Regex.IsMatch(output, @"^6\.12: agree \d+/\d+ \(\d+ cases\)$", RegexOptions.Multiline).ShouldBeTrue(output);
        Regex.IsMatch(output, @"^6\.1: agree \d+/\d+ \(\d+ cases\)$", RegexOptions.Multiline).ShouldBeTrue(output);
        output.Split('\n').Where(l => l.Contains(": step ", StringComparison.Ordinal)).ShouldAllBe(l => l.Contains("(known gap: ", StringComparison.Ordinal));
        output.ShouldNotContain("not listed in");
    }

    [Fact]
    public void ADifference_NotListedAsAKnownGap_ExitsWith1()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"daxholder-conform-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(folder, "6.12"));
        try
        {
            var record = File.ReadAllText(Path.Combine(Folder, "6.12", "demo.json"))
                .Replace("\"siCode\": \"BUS_MCEERR_AO\"", "\"siCode\": \"BUS_MCEERR_AR\"", StringComparison.Ordinal)
                .Replace("\"scenarioFile\": \"scenarios/demo.yaml\"", $"\"scenarioFile\": \"{Path.Combine(ScenarioHarness.ScenariosDirectory, "demo.yaml")}\"", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "6.12", "demo.json"), record);

            var (exit, output, _) = CliRun.Run("conform", folder);

            exit.ShouldBe(ExitCodes.DecisionsDiffer);
            output.ShouldContain("demo.json: step 11 madvise-hwpoison: signals: model [poisoner: SIGBUS BUS_MCEERR_AR lsb 12 at poison+0x0; watcher: SIGBUS BUS_MCEERR_AO lsb 12 at watch+0x0]; real [poisoner: SIGBUS BUS_MCEERR_AR lsb 12 at poison+0x0; watcher: SIGBUS BUS_MCEERR_AR lsb 12 at watch+0x0]");
            output.ShouldContain("1 difference(s) not listed in");

            File.WriteAllText(Path.Combine(folder, "known-gaps.yaml"), "gaps:\n  - { kernel: \"6.12\", scenario: demo, step: 11, aspect: signals, reason: a test }\n");
            var (again, text, _) = CliRun.Run("conform", folder);
            again.ShouldBe(ExitCodes.Ok);
            text.ShouldContain("(known gap: a test)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ARecordOfAKernelWithoutAModelProfile_IsListed_NotFailed()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"daxholder-conform-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(folder, "5.10"));
        try
        {
            File.Copy(Path.Combine(Folder, "6.12", "demo.json"), Path.Combine(folder, "5.10", "demo.json"));

            var (exit, output, _) = CliRun.Run("conform", folder);

            exit.ShouldBe(ExitCodes.Ok, output);
            output.ShouldContain("demo.json: not compared: the model has no profile for kernel 5.10");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AKnownGapWithoutAReason_IsRefused()
    {
        var file = Path.Combine(Path.GetTempPath(), $"daxholder-gaps-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "gaps:\n  - { kernel: \"6.1\", aspect: signals }\n");
        try
        {
            Should.Throw<FormatException>(() => KnownGap.Load(file)).Message.ShouldBe($"{file}:2:5: a gap needs a reason");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AKnownGapsCell_GivenAsAMapping_CoversEveryCellWithThoseAxes_AndNoOther()
    {
        var file = Path.Combine(Path.GetTempPath(), $"daxholder-gaps-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "gaps:\n  - { scenario: s, cell: { a: \"1\" }, step: 2, reason: why }\n");
        try
        {
            var gap = KnownGap.Load(file).ShouldHaveSingleItem();
            var difference = new OutcomeDifference(2, "touch", "signals", "[]", "[x]");
            CellOutcome Cell(params (string Path, string Value)[] axes) =>
                new("s", "6.12", "6.12.95", [.. axes.Select(x => new DaxHolder.Scenarios.Language.ScenarioSetting(x.Path, x.Value))], []);

            gap.Covers("6.12", Cell(("a", "1"), ("b", "x")), difference).ShouldBeTrue();
            gap.Covers("6.12", Cell(("b", "y"), ("a", "1")), difference).ShouldBeTrue();
            gap.Covers("6.12", Cell(("a", "0"), ("b", "x")), difference).ShouldBeFalse();
            gap.Covers("6.12", Cell(("b", "x")), difference).ShouldBeFalse();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ARecordedRunProblem_IsExplainedOnlyByAGapThatNamesNoStep()
    {
        var file = Path.Combine(Path.GetTempPath(), $"daxholder-gaps-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "gaps:\n  - { kernel: \"7.2\", scenario: s, cell: { a: \"1\" }, reason: hangs }\n  - { scenario: s, step: 3, reason: a step }\n");
        try
        {
            var gaps = KnownGap.Load(file);
            CellOutcome Cell(string value) =>
                new("s", "7.2", "7.2.13", [new DaxHolder.Scenarios.Language.ScenarioSetting("a", value)], []);

            gaps[0].CoversProblem("7.2", Cell("1")).ShouldBeTrue();
            gaps[0].CoversProblem("6.12", Cell("1")).ShouldBeFalse("another kernel");
            gaps[0].CoversProblem("7.2", Cell("0")).ShouldBeFalse("another cell");
            gaps[1].CoversProblem("7.2", Cell("1")).ShouldBeFalse("a gap for one step does not explain the whole run");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
