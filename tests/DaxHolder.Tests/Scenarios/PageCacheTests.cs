using DaxHolder.Scenarios.Reports;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Scenarios;

/// <summary>
/// mm/memory-failure.c: memory_failure() on a page-cache page of a file that is not DAX (ext4
/// mounted dax=never): hwpoison_user_mappings() unmaps it everywhere and signals the collected
/// tasks only when the page was dirty (kill_procs(forcekill)); me_pagecache_clean() /
/// me_pagecache_dirty() drop it from the file.
/// </summary>
public sealed class PageCacheTests
{
    private static string Scenario(string access) => $$"""
        name: page-cache
        kernel: "6.12"
        device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
        filesystem: { type: ext4, mount: { dax: never } }
        files:
          - { path: /f, size: 16KiB }
        steps:
          - spawn: { task: p, comm: writer, pid: 9001, sigbus: handler }
          - mmap: { task: p, as: m, file: /f, length: 16KiB }
          - touch: { task: p, map: m, length: 4KiB, access: {{access}} }
          - madvise-hwpoison: { task: p, map: m, length: 4KiB }
          - touch: { task: p, map: m, length: 4KiB }
        """;

    [Fact]
    public void ACleanPage_IsDropped_NobodySignalled_MePagecacheClean()
    {
        var run = ScenarioHarness.Run(Scenario("read")).ShouldHaveSingleItem();

        var madvise = run.Steps.Single(s => s.Kind == "madvise-hwpoison");
        madvise.Result.ShouldBe(StepResult.Ok);
        madvise.Log.ShouldContain(l => l.EndsWith("recovery action for clean LRU page: Recovered", StringComparison.Ordinal));
        TextReport.Step(madvise).ShouldNotContain("SIGBUS");
        run.Steps[^1].Result.ShouldBe(StepResult.Done, "the next access reads the file into a new page");
    }

    /// <summary>6.11+ madvise passes MF_ACTION_REQUIRED, so current is collected; a dirty page forces the kill: AR to the caller.</summary>
    [Fact]
    public void ADirtyPage_SignalsTheCallerAr_MePagecacheDirty()
    {
        var run = ScenarioHarness.Run(Scenario("write")).ShouldHaveSingleItem();

        var madvise = run.Steps.Single(s => s.Kind == "madvise-hwpoison");
        madvise.Log.ShouldContain(l => l.EndsWith("recovery action for dirty LRU page: Recovered", StringComparison.Ordinal));
        TextReport.Step(madvise).ShouldContain("SIGBUS BUS_MCEERR_AR -> writer:9001 addr 0x7f0000000000 lsb 12 forced");
    }
}
