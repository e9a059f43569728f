using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Ext4.Mount;

namespace DaxHolder.Plugins.Ext4.Failure;

/// <summary>
/// fs/ext4/super.c: __ext4_error / __ext4_error_inode and ext4_handle_error, and
/// fs/jbd2/journal.c: jbd2_journal_abort, with their log lines. The state they leave is the
/// mount's: the journal aborted, the filesystem read-only (errors=remount-ro), or a panic.
/// </summary>
internal sealed class Ext4ErrorHandling(ISuperBlock superBlock, IKernelLog log, ErrorsBehaviour errors)
{
    /// <summary>
    /// What the model prints for current-&gt;comm: the contract gives a filesystem no view of
    /// current (README, "Not modelled").
    /// </summary>
    public const string UnknownComm = "?";

    /// <summary>JBD2_ABORT.</summary>
    public bool JournalAborted { get; private set; }

    /// <summary>SB_RDONLY (6.1) or EXT4_FLAGS_EMERGENCY_RO (later): metadata changes fail with -EROFS.</summary>
    public bool ReadOnly { get; private set; }

    /// <summary>EXT4_ERROR_FS in s_mount_state.</summary>
    public bool HasErrors { get; private set; }

    /// <summary>Whether errors=panic fired: the machine would have stopped here.</summary>
    public bool Panicked { get; private set; }

    /// <summary>Metadata changes refused: the journal aborted or the filesystem went read-only.</summary>
    public bool RefusesChanges => JournalAborted || ReadOnly;

    /// <summary>
    /// __ext4_error(sb, function, line, force_ro=false, error, block, fmt): the KERN_CRIT line
    /// "EXT4-fs error (device %s): %s:%d: comm %s: %pV", then ext4_handle_error.
    /// </summary>
    public void Error(string function, int line, string message)
    {
        log.Printk(KernelLogLevel.Crit, $"EXT4-fs error (device {superBlock.Id}): {function}:{line}: comm {UnknownComm}: {message}");
        HandleError();
    }

    /// <summary>__ext4_error_inode with a block: "EXT4-fs error (device %s): %s:%d: inode #%lu: block %llu: comm %s: %pV", then ext4_handle_error.</summary>
    public void ErrorInode(string function, int line, ulong inode, ulong block, string message)
    {
        log.Printk(KernelLogLevel.Crit, $"EXT4-fs error (device {superBlock.Id}): {function}:{line}: inode #{inode}: block {block}: comm {UnknownComm}: {message}");
        HandleError();
    }

    /// <summary>
    /// jbd2_journal_abort(journal, -EIO): the first abort prints "Aborting journal on device %s."
    /// with j_devname "&lt;bdev&gt;-&lt;journal inode&gt;" (jbd2_journal_init_inode); later ones are silent.
    /// </summary>
    public void AbortJournal()
    {
        if (JournalAborted)
        {
            return;
        }

        JournalAborted = true;
        log.Printk(KernelLogLevel.Err, $"Aborting journal on device {superBlock.Id}-8.");
    }

    /// <summary>
    /// ext4_handle_error(sb, force_ro=false, ...): EXT4_ERROR_FS; unless errors=continue the
    /// journal aborts; errors=panic panics ("EXT4-fs (device %s): panic forced after error");
    /// errors=remount-ro prints "Remounting filesystem read-only" (KERN_CRIT) and refuses changes.
    /// </summary>
    private void HandleError()
    {
        HasErrors = true;
        var continueFs = errors == ErrorsBehaviour.Continue;
        if (!continueFs && !ReadOnly)
        {
            AbortJournal();
        }

        if (errors == ErrorsBehaviour.Panic)
        {
            // panic(): the model cannot stop the machine (no panic in IKernelServices); it prints
            // the line and leaves the filesystem refusing everything (README).
            Panicked = true;
            log.Printk(KernelLogLevel.Emerg, $"Kernel panic - not syncing: EXT4-fs (device {superBlock.Id}): panic forced after error");
            superBlock.ForceShutdown("kernel panic: errors=panic (the machine would stop here)");
            return;
        }

        if (ReadOnly || continueFs)
        {
            return;
        }

        log.Printk(KernelLogLevel.Crit, $"EXT4-fs ({superBlock.Id}): Remounting filesystem read-only");
        ReadOnly = true;
    }
}
