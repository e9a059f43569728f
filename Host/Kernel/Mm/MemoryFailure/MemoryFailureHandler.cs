using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Printk;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;

namespace DaxHolder.Kernel.Mm.MemoryFailure;

/// <summary>
/// mm/memory-failure.c for device memory: memory_failure() and its ZONE_DEVICE branch, the
/// generic and fsdax kill paths, collecting and killing. The functions live in one file per
/// concern (CollectProcs.cs, KillProcs.cs, GenericKillProcs.cs, DaxKillProcs.cs).
/// </summary>
internal sealed partial class MemoryFailureHandler(KernelContext kernel, DevPagemaps memremap, FsDax dax, TaskList tasks, SignalDelivery signals, Filemap filemap)
{
    private readonly Filemap filemap = filemap;
    private readonly KernelContext kernel = kernel;
    private readonly DevPagemaps memremap = memremap;
    private readonly FsDax dax = dax;
    private readonly TaskList tasks = tasks;
    private readonly SignalDelivery signals = signals;
    private bool mfMutexHeld;

    /// <summary>`current` while the kernel runs on behalf of a task (the injector, the faulting task, a kworker).</summary>
    public TaskStruct? Current { get; set; }

    /// <summary>hw_memory_failure: a real (not software-simulated) failure happened; unpoison is refused from then on.</summary>
    public bool HwMemoryFailure { get; private set; }

    /// <summary>num_poisoned_pages: /proc/meminfo HardwareCorrupted in pages (each action_result adds one).</summary>
    public ulong NumPoisonedPages { get; private set; }

    /// <summary>
    /// mm/memory-failure.c: memory_failure(pfn, flags) for the pfns the model has: the
    /// recovery sysctl at 0 panics; events are serialized by mf_mutex; a pmem pfn never takes the
    /// online-page path: a live pgmap goes to memory_failure_dev_pagemap(), anything else is
    /// "memory outside kernel control" and -ENXIO. There is no "already poisoned" short-cut.
    /// </summary>
    public Errno MemoryFailure(Pfn pfn, MfFlags flags)
    {
        if (kernel.Sysctls.MemoryFailureRecovery == 0)
        {
            var line = $"Kernel panic - not syncing: Memory failure on page {pfn.Value:x}";
            kernel.Log.Printk(KernelLogLevel.Emerg, line);
            kernel.Trace.Add(new KernelHealthEvent(KernelHealthKind.Panic, line, ["panic", "memory_failure"]));
            kernel.Panicked = true;
            return Errno.Ok;
        }

        if (mfMutexHeld)
        {
            throw new InvalidOperationException("memory_failure re-entered while mf_mutex is held: the kernel would deadlock");
        }

        mfMutexHeld = true;
        try
        {
            if ((flags & MfFlags.SwSimulated) == 0)
            {
                HwMemoryFailure = true;
            }

            // pfn_to_online_page() is NULL for every pfn the model knows; arch_memory_failure()
            // is for SGX EPC only and declines.
            if (memremap.PfnValid(pfn) && memremap.GetDevPagemap(pfn) is { } pgmap)
            {
                return MemoryFailureDevPagemap(pfn, flags, pgmap);
            }

            if (filemap.ByPfn(pfn) is { } ram)
            {
                return MemoryFailurePageCache(ram, flags);
            }

            kernel.Log.Printk(KernelLogLevel.Err, $"Memory failure: {pfn}: memory outside kernel control");
            return Errno.ENXIO;
        }
        finally
        {
            mfMutexHeld = false;
        }
    }

    /// <summary>
    /// mm/memory-failure.c: memory_failure_dev_pagemap(pfn, flags, pgmap): a pfn in
    /// the altmap is device metadata, -ENXIO; a pgmap with a memory_failure op asks it, and only
    /// -EOPNOTSUPP falls back to mf_generic_kill_procs(); then put_dev_pagemap and action_result.
    /// </summary>
    private Errno MemoryFailureDevPagemap(Pfn pfn, MfFlags flags, DevPagemap pgmap)
    {
        var rc = Errno.ENXIO;
        try
        {
            if (!pgmap.PfnValid(pfn))
            {
                kernel.Trace.Add(new GenericPathTaken(pfn, "pgmap_pfn_valid() is false: the pfn holds the device's own metadata (altmap), not recoverable"));
            }
            else
            {
                rc = pgmap.Ops is { } ops ? ops.MemoryFailure(pgmap, pfn, 1, flags) : Errno.EOPNOTSUPP;
                if (rc == Errno.EOPNOTSUPP)
                {
                    kernel.Trace.Add(new GenericPathTaken(pfn, pgmap.Ops is null ? "the pgmap has no memory_failure op" : "the holder path returned -EOPNOTSUPP"));
                    rc = MfGenericKillProcs(pfn, flags, pgmap);
                }
            }
        }
        finally
        {
            pgmap.Put();
        }

        // 6.6+ skips action_result for -EOPNOTSUPP; ≤6.5 always reports. Only hwpoison_filter
        // returns -EOPNOTSUPP here, and the model has no filter, so both print the same.
        if (rc != Errno.EOPNOTSUPP)
        {
            ActionResult(pfn, rc == Errno.Ok ? MfActionResult.Recovered : MfActionResult.Failed);
        }

        return rc;
    }

    /// <summary>
    /// mm/memory-failure.c: action_result(pfn, type, result): count the page in
    /// num_poisoned_pages and print "recovery action for" the page type (MF_MSG_DAX: "dax page").
    /// </summary>
    private void ActionResult(Pfn pfn, MfActionResult result, string pageType = ActionResultRecorded.DaxPage)
    {
        NumPoisonedPages++;
        kernel.Trace.ActionResultRecorded(pfn, result, pageType);
        RecoveryActionLine.Printk(kernel.Log, pfn, pageType, result);
    }
}

/// <summary>action_result()'s line, printed at KERN_ERR once per poisoned page: kept as its values, formatted when read (<see cref="LogFormat"/>).</summary>
internal sealed class RecoveryActionLine : LogFormat
{
    private static readonly RecoveryActionLine Format = new();

    private RecoveryActionLine()
    {
    }

    public static void Printk(KernelLog log, Pfn pfn, string pageType, MfActionResult result) =>
        log.Printk(KernelLogLevel.Err, Format, pageType, pfn.Value, (int)result);

    public override string Render(string text, ulong number, int small) =>
        $"Memory failure: {new Pfn(number)}: recovery action for {text}: {(MfActionResult)small}";
}
