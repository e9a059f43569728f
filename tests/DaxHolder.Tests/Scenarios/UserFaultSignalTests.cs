using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// The user fault paths past what a task may touch, as the kernel ends them: no VMA at the address
/// is arch/x86/mm/fault.c: bad_area_nosemaphore() (SIGSEGV SEGV_MAPERR, si_addr the first unmapped
/// address); inside the VMA but past i_size is fs/dax.c: dax_iomap_pte_fault() returning
/// VM_FAULT_SIGBUS, which do_sigbus() turns into SIGBUS BUS_ADRERR. Both are reported as signals
/// in the text and JSON reports, and the task dies or its handler runs as its disposition says.
/// </summary>
public sealed class UserFaultSignalTests
{
    private const string Machine = """
        name: user-faults
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem: { type: xfs, mount: { dax: always } }
        files:
          - { path: /f, size: 16KiB }
        steps:

        """;

    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void DaxIomapPteFault_PastISizeInsideTheVma_IsSigbusAdrerr_WhoseHandlerRuns(string type)
    {
        var run = ScenarioHarness.Run(Machine + """
              - spawn: { task: t, comm: toucher, pid: 9201, sigbus: handler }
              - mmap: { task: t, as: m, file: /f, length: 64KiB }
              - touch: { task: t, map: m, length: 64KiB }
            """, $"filesystem.type={type}").ShouldHaveSingleItem();

        var touch = run.Steps[^1];
        touch.Result.ToString().ShouldBe("SIGBUS at 0x7f0000004000; the access stops here");
        var text = TextReport.Step(touch);
        text.ShouldContain("SIGBUS BUS_ADRERR -> toucher:9201 addr 0x7f0000004000 forced, queued");
        text.ShouldContain("SIGBUS to toucher:9201: handler ran");
        JsonReport.Render([run]).ShouldContain("\"BUS_ADRERR\"");
    }

    [Fact]
    public void DaxIomapPteFault_PastISize_WithTheDefaultDisposition_KillsTheTask()
    {
        var run = ScenarioHarness.Run(Machine + """
              - spawn: { task: t, comm: toucher, pid: 9202 }
              - mmap: { task: t, as: m, file: /f, length: 64KiB }
              - touch: { task: t, map: m, offset: 20KiB, length: 4KiB }
            """).ShouldHaveSingleItem();

        var touch = run.Steps[^1];
        touch.Result.ToString().ShouldBe("SIGBUS at 0x7f0000005000; the process exited");
        TextReport.Step(touch).ShouldContain("SIGBUS to toucher:9202: killed (core dumped)");
    }

    /// <summary>arch/x86/mm/fault.c: access_error() -&gt; bad_area_access_error(): a write to a mapping made without PROT_WRITE.</summary>
    [Theory]
    [InlineData("shared")]
    [InlineData("private")]
    public void BadAreaAccessError_AWriteToAReadOnlyMapping_IsSigsegvAccerr_AndAReadIsNot(string type)
    {
        var run = ScenarioHarness.Run(Machine + $$"""
              - spawn: { task: t, comm: toucher, pid: 9205, sigbus: handler }
              - mmap: { task: t, as: m, file: /f, length: 16KiB, prot: read, type: {{type}} }
              - touch: { task: t, map: m, length: 16KiB }
              - touch: { task: t, map: m, offset: 4KiB, length: 4KiB, access: write }
            """).ShouldHaveSingleItem();

        run.Steps[^3].What.ShouldContain("PROT_READ");
        run.Steps[^2].Result.ToString().ShouldBe("done");
        run.Steps[^1].Result.ToString().ShouldBe("SIGSEGV at 0x7f0000001000; the process exited");
        TextReport.Step(run.Steps[^1]).ShouldContain("SIGSEGV SEGV_ACCERR -> toucher:9205 addr 0x7f0000001000");
        JsonReport.Render([run]).ShouldContain("\"SEGV_ACCERR\"");
    }

    [Fact]
    public void AWriteOnlyMapping_ReadsToo_AsX86CannotMapWriteOnly()
    {
        var run = ScenarioHarness.Run(Machine + """
              - spawn: { task: t, comm: toucher, pid: 9206, sigbus: handler }
              - mmap: { task: t, as: m, file: /f, length: 16KiB, prot: write }
              - touch: { task: t, map: m, length: 8KiB }
              - touch: { task: t, map: m, length: 8KiB, access: write }
            """).ShouldHaveSingleItem();

        run.Steps[^2].Result.ToString().ShouldBe("done");
        run.Steps[^1].Result.ToString().ShouldBe("done");
    }

    [Fact]
    public void BadAreaNosemaphore_TouchPastTheMapping_IsSigsegvMaperr_InTheJsonReport()
    {
        var run = ScenarioHarness.Run(Machine + """
              - spawn: { task: t, comm: toucher, pid: 9203, sigbus: handler }
              - mmap: { task: t, as: m, file: /f, length: 16KiB }
              - touch: { task: t, map: m, length: 1TiB }
            """).ShouldHaveSingleItem();

        run.Steps[^1].Result.ToString().ShouldBe("SIGSEGV at 0x7f0000004000; the process exited");
        var json = JsonReport.Render([run]);
        json.ShouldContain("\"SIGSEGV\"");
        json.ShouldContain("\"SEGV_MAPERR\"");
        json.ShouldContain("0x7f0000004000");
    }

    /// <summary>access-mce past the mapping: the load faults before it reaches memory, so no machine check runs.</summary>
    [Fact]
    public void BadAreaNosemaphore_AccessMcePastTheMapping_IsSigsegvMaperr_NotAMachineCheck()
    {
        var run = ScenarioHarness.Run(Machine + """
              - spawn: { task: t, comm: toucher, pid: 9204, sigbus: handler }
              - mmap: { task: t, as: m, file: /f, length: 16KiB }
              - access-mce: { task: t, map: m, offset: 1TiB }
            """).ShouldHaveSingleItem();

        var step = run.Steps[^1];
        var text = TextReport.Step(step);
        text.ShouldContain("SIGSEGV SEGV_MAPERR -> toucher:9204 addr 0x800000000000");
        text.ShouldNotContain("BUS_MCEERR");
        text.ShouldNotContain("Memory failure");
    }
}
