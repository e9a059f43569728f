namespace DaxHolder.Kernel.Mm.Tasks;

/// <summary>kernel/exit.c: a process ending, which tears its mm down (exit_mmap).</summary>
internal sealed class Exit(KernelContext kernel)
{
    /// <summary>do_group_exit(): every thread exits; the mm's VMAs are unmapped and their files released.</summary>
    public void DoGroupExit(ThreadGroup process, string reason)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.Exited)
        {
            return;
        }

        foreach (var thread in process.Threads)
        {
            thread.Exited = true;
            thread.Pending.Clear();
        }

        process.Exited = true;
        process.ExitReason = reason;
        kernel.Trace.Add(new Trace.ProcessExited(process.Leader.Name, reason));
        if (process.Mm is { } mm)
        {
            Mmap.ExitMmap(mm);
        }

        // do_exit(): exit_mm(), then exit_files().
        process.Files.CloseAll();
    }
}
