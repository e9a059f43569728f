using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Plugins.Xfs;

/// <summary>fs/xfs/xfs_message.c: xfs_emerg .. xfs_info, every line prefixed "XFS (&lt;s_id&gt;): ".</summary>
internal sealed class XfsMessage(IKernelLog log, string id)
{
    /// <summary>xfs_emerg.</summary>
    public void Emerg(string text) => Print(KernelLogLevel.Emerg, text);

    /// <summary>xfs_alert.</summary>
    public void Alert(string text) => Print(KernelLogLevel.Alert, text);

    /// <summary>xfs_err.</summary>
    public void Err(string text) => Print(KernelLogLevel.Err, text);

    /// <summary>xfs_warn.</summary>
    public void Warn(string text) => Print(KernelLogLevel.Warning, text);

    /// <summary>xfs_notice.</summary>
    public void Notice(string text) => Print(KernelLogLevel.Notice, text);

    /// <summary>xfs_info.</summary>
    public void Info(string text) => Print(KernelLogLevel.Info, text);

    /// <summary>
    /// xfs_debug: printed only by CONFIG_XFS_DEBUG kernels; Debian's are not, so nothing is
    /// printed (e.g. xfs_dax_notify_failure()'s "notify_failure() needs rmapbt enabled!").
    /// </summary>
#pragma warning disable CA1822 // kept as an instance method so call sites read as the kernel's
    public void Debug(string text) => _ = text;
#pragma warning restore CA1822

    private void Print(KernelLogLevel level, string text) => log.Printk(level, $"XFS ({id}): {text}");
}
