using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// mm/memory-failure.c: dev_pagemap_mapping_shift(). A task that wrote to its MAP_PRIVATE mapping of
/// a DAX file holds an anonymous COW copy where the DAX page was. Up to 6.14 only a devmap PTE
/// counts, so the task is skipped; from 6.15 (38607c62b34b) any present PTE counts, and an early-kill
/// task is signalled BUS_MCEERR_AO, as Debian's 7.2.13 was seen to do.
/// </summary>
public sealed class CowCopyTests
{
    private const string Scenario = """
        name: cow-copy
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem: { type: xfs, mkfs: { reflink: 1, rmapbt: 1 }, mount: { dax: always } }
        files:
          - { path: /f, size: 16KiB }
        steps:
          - spawn: { task: cow, comm: cow, pid: 7001, early-kill: early, sigbus: handler }
          - mmap: { task: cow, as: c, file: /f, length: 16KiB, type: private }
          - touch: { task: cow, map: c, length: 4KiB, access: write }
          - spawn: { task: p, comm: poisoner, pid: 7002, sigbus: handler }
          - mmap: { task: p, as: m, file: /f, length: 16KiB }
          - touch: { task: p, map: m, length: 4KiB }
          - madvise-hwpoison: { task: p, map: m, length: 4KiB }
        """;

    [Fact]
    public void OnA612_TheCowCopyHolderIsSkipped()
    {
        var run = ScenarioHarness.Run(Scenario, "kernel=6.12").ShouldHaveSingleItem();

        var madvise = run.Steps[^1];
        madvise.Log.ShouldNotContain(l => l.Contains("Sending SIGBUS to cow:7001", StringComparison.Ordinal));
    }

    [Fact]
    public void On72_TheCowCopyHolderGetsAo_AndKeepsItsCopy_DevPagemapMappingShift()
    {
        var run = ScenarioHarness.Run(Scenario, "kernel=7.2").ShouldHaveSingleItem();

        var madvise = run.Steps[^1];
        madvise.Log.ShouldContain(l => l.Contains("Sending SIGBUS to cow:7001", StringComparison.Ordinal));
        var text = TextReport.Step(madvise);
        text.ShouldContain("SIGBUS BUS_MCEERR_AO -> cow:7001 addr 0x7f0000000000 lsb 12");
        text.ShouldNotContain("cow:7001 0x7f0000000000 shift 12;", Case.Sensitive, "unmap_mapping_range(even_cows = 0) leaves the private copy mapped");
    }
}
