using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// arch/x86/mm/fault.c: a user access with no VMA at the address goes to bad_area_nosemaphore():
/// SIGSEGV with SEGV_MAPERR, whose default action kills the process. Scenarios give tasks a SIGBUS
/// disposition only, so SIGSEGV keeps SIG_DFL. A located report, never an internal error.
/// </summary>
public sealed class TouchPastTheMappingTests
{
    [Fact]
    public void ATouchPastTheEndOfItsMapping_IsSigsegvMaperr_AndTheProcessDies_BadAreaNosemaphore()
    {
        var run = ScenarioHarness.Run("""
            name: past-the-mapping
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem: { type: xfs, mount: { dax: always } }
            files:
              - { path: /f, size: 64KiB }
            steps:
              - spawn: { task: t, comm: toucher, pid: 9101, sigbus: handler }
              - mmap: { task: t, as: m, file: /f, length: 64KiB }
              - touch: { task: t, map: m, length: 1TiB }
            """).ShouldHaveSingleItem();

        var touch = run.Steps[^1];
        touch.Result.Value.ShouldBe("SIGSEGV");
        touch.Result.ToString().ShouldBe("SIGSEGV at 0x7f0000010000; the process exited");
        var text = DaxHolder.Scenarios.Reports.TextReport.Step(touch);
        text.ShouldContain("SIGSEGV SEGV_MAPERR -> toucher:9101 addr 0x7f0000010000");
        text.ShouldContain("SIGSEGV to toucher:9101: killed (core dumped)");
    }
}
