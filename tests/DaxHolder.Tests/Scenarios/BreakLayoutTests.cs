using DaxHolder.Kernel.Trace;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// fs/dax.c: dax_layout_busy_page() (6.15+: dax_break_layout()), as fs/xfs/xfs_file.c:
/// xfs_break_dax_layouts() and fs/ext4/inode.c: ext4_break_layouts() call it before a punch:
/// the whole file is unmapped, not only the punched range, so a machine check on a page outside
/// the hole finds its old mapper with no PTE (collect_procs_fsdax() -> __add_to_kill(): size_shift
/// 0, not collected). Recorded on Debian's 6.1.192, 6.12.95 and 7.2.13 (conformance/*/mm.punch-truncate.*).
/// </summary>
public sealed class BreakLayoutTests
{
    private const string Scenario = """
        name: break-layout
        kernel: "6.12"
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem:
          type: xfs
          mkfs: { reflink: 1, rmapbt: 1 }
          mount: { dax: always }
          by-type:
            ext4: { mkfs: "" }
        files:
          - { path: /f, size: 64KiB }
        matrix:
          kernel: ["6.1", "6.12", "7.2"]
          filesystem.type: [xfs, ext4]
        steps:
          - spawn: { task: m, comm: mapper, pid: 3901, early-kill: early, sigbus: handler }
          - mmap: { task: m, as: f, file: /f, length: 64KiB }
          - touch: { task: m, map: f, length: 64KiB }
          - punch: { file: /f, offset: 8KiB, length: 8KiB }
          - machine-check: { target: { file: /f, offset: 0 } }
        """;

    [Fact]
    public void Punch_UnmapsTheWholeFile_SoAPoisonedPageOutsideTheHoleHasNoMapperToSignal()
    {
        foreach (var run in ScenarioHarness.Run(Scenario))
        {
            var punch = run.Steps.Single(s => s.Kind == "punch");
            var broken = punch.Decisions.OfType<LayoutBroken>().ShouldHaveSingleItem(run.CellName);
            broken.Removed.Count.ShouldBe(16, $"{run.CellName}: every faulted page of the file, not the 2 punched ones");

            var check = run.Steps.Single(s => s.Kind == "machine-check");
            check.Decisions.OfType<SignalSent>().ShouldBeEmpty(run.CellName);
            check.Decisions.OfType<ProcessCollected>().ShouldBeEmpty(run.CellName);
        }
    }

    [Fact]
    public void From615_BreakingTheLayoutAlsoDeletesTheEntries_SoExt4sGenericPathCannotLockThePage()
    {
        foreach (var run in ScenarioHarness.Run(Scenario, "filesystem.type=ext4"))
        {
            var kernel = run.Cell.Single(s => s.Path == "kernel").Value;
            var punch = run.Steps.Single(s => s.Kind == "punch");
            punch.Decisions.OfType<LayoutBroken>().Single().EntriesDeleted.ShouldBe(kernel == "7.2" ? 16 : 0, run.CellName);

            var result = run.Steps.Single(s => s.Kind == "machine-check").Decisions.OfType<ActionResultRecorded>().Single().Result.ToString();
            result.ShouldBe(kernel == "7.2" ? "Failed" : "Recovered", $"{run.CellName}: dax_lock_folio() needs folio->mapping");
        }
    }
}
