using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>The runner: a fresh machine per matrix cell, steps in order, expectations per cell.</summary>
public class ScenarioRunnerTests
{
    private const string Devdax = """
        device: { mode: devdax, size: 4GiB, align: 2MiB }
        matrix:
          kernel: ["6.1", "6.12"]
        steps:
          - spawn: { task: t, comm: prog, pid: 100 }
          - mmap: { task: t, as: m, length: 2MiB }
          - touch: { task: t, map: m }

        """;

    [Fact]
    public void EachMatrixCell_RunsOnItsOwnMachine_InDeclaredOrder()
    {
        var runs = ScenarioHarness.Run(Devdax);

        runs.Select(r => r.CellName).ShouldBe(["kernel=6.1", "kernel=6.12"]);
        runs.Select(r => r.Kernel).ShouldBe(["6.1 (6.1.192)", "6.12 (6.12.95)"]);
        runs.ShouldAllBe(r => r.Steps[1].Result == StepResult.Ok, "each cell starts from a fresh machine: pid 100 is free in both");
    }

    [Fact]
    public void ASetting_PinsItsAxis()
    {
        var runs = ScenarioHarness.Run(Devdax, "kernel=6.1");

        runs.Select(r => r.CellName).ShouldBe(["kernel=6.1"]);
    }

    [Fact]
    public void AnExpectBlockWithWhen_AppliesOnlyInMatchingCells()
    {
        var runs = ScenarioHarness.Run(Devdax + """
              - madvise-hwpoison: { task: t, map: m }
                expect:
                  - when: { kernel: "6.1" }
                    exited: [t]
                  - alive: []
                    health: clean

            """);

        runs[0].Steps[^1].Expectations.Select(e => e.Check).ShouldBe(["t exited", "kernel health clean"]);
        runs[1].Steps[^1].Expectations.Select(e => e.Check).ShouldBe(["kernel health clean"]);
        runs.ShouldAllBe(r => r.ExpectationsHeld, "a default SIGBUS kills t on both kernels");
    }

    [Fact]
    public void AStepOfAnExitedTask_IsReportedAsNotRun()
    {
        var runs = ScenarioHarness.Run(Devdax + """
              - exit: { task: t }
              - touch: { task: t, map: m }

            """, "kernel=6.12");

        runs[0].Steps[^1].Result.ShouldBe(StepResult.NotRun("t (prog:100) has exited: exited"));
    }

    [Fact]
    public void AForkedChild_UsesItsParentsMappingByName_ButStartsWithoutItsPageTableEntries()
    {
        var runs = ScenarioHarness.Run(Devdax + """
              - fork: { task: t, child: c, pid: 101, sigbus: handler }
              - madvise-hwpoison: { task: c, map: m }
                expect:
                  signals: [{ task: c, code: BUS_MCEERR_AR, lsb: 21 }]
                  no-signal: t

            """, "kernel=6.12");

        runs[0].ExpectationsHeld.ShouldBeTrue(string.Join("; ", runs[0].FailedExpectations.Select(e => e.Check + ": " + e.Actual)));
    }
}
