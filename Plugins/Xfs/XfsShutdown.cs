using System.Globalization;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Plugins.Xfs;

/// <summary>fs/xfs/xfs_mount.h: the SHUTDOWN_* flags of xfs_force_shutdown.</summary>
[Flags]
internal enum XfsShutdownFlags : uint
{
    /// <summary>SHUTDOWN_META_IO_ERROR.</summary>
    MetaIoError = 0x1,

    /// <summary>SHUTDOWN_LOG_IO_ERROR.</summary>
    LogIoError = 0x2,

    /// <summary>SHUTDOWN_FORCE_UMOUNT.</summary>
    ForceUmount = 0x4,

    /// <summary>SHUTDOWN_CORRUPT_INCORE.</summary>
    CorruptIncore = 0x8,

    /// <summary>SHUTDOWN_CORRUPT_ONDISK (6.0+, with notify_failure).</summary>
    CorruptOndisk = 0x10,

    /// <summary>SHUTDOWN_DEVICE_REMOVED (6.6+).</summary>
    DeviceRemoved = 0x20,
}

/// <summary>Where xfs_force_shutdown was called: the function %pS names and the __FILE__:__LINE__ of the call.</summary>
/// <param name="Function">The calling function, as %pS would name it (its +0x.../0x... offset is not modelled).</param>
/// <param name="File">__FILE__.</param>
/// <param name="Line">__LINE__ in the modelled kernel's source.</param>
internal readonly record struct ShutdownSite(string Function, string File, int Line);

/// <summary>fs/xfs/xfs_fsops.c: xfs_do_force_shutdown.</summary>
internal static class XfsShutdown
{
    /// <summary>
    /// xfs_do_force_shutdown(mp, flags, fname, lnnum): only the first shutdown of a mount does
    /// anything. FORCE_UMOUNT first says "User initiated shutdown received." (even when the kernel
    /// initiated it), then the reason line with two spaces before "Shutting", then "Please
    /// unmount..." (fs/xfs/xfs_fsops.c: xfs_do_force_shutdown()). The superblock records the
    /// shutdown; every later operation gets -EIO.
    /// </summary>
    public static void ForceShutdown(ISuperBlock superBlock, XfsMessage message, XfsShutdownFlags flags, ShutdownSite site)
    {
        ArgumentNullException.ThrowIfNull(superBlock);
        ArgumentNullException.ThrowIfNull(message);
        if (superBlock.IsShutdown)
        {
            return;
        }

        if ((flags & XfsShutdownFlags.ForceUmount) != 0)
        {
            message.Alert("User initiated shutdown received.");
        }

        var why = (flags & XfsShutdownFlags.LogIoError) != 0 ? "Log I/O Error"
            : (flags & XfsShutdownFlags.CorruptIncore) != 0 ? "Corruption of in-memory data"
            : (flags & XfsShutdownFlags.CorruptOndisk) != 0 ? "Corruption of on-disk metadata"
            : (flags & XfsShutdownFlags.DeviceRemoved) != 0 ? "Block device removal"
            : "Metadata I/O Error";
        var hex = ((uint)flags).ToString("x", CultureInfo.InvariantCulture);
        message.Alert($"{why} (0x{hex}) detected at {site.Function} ({site.File}:{site.Line.ToString(CultureInfo.InvariantCulture)}).  Shutting down filesystem.");
        message.Alert("Please unmount the filesystem and rectify the problem(s)");
        superBlock.ForceShutdown($"{FlagName(flags)} (0x{hex}): {why}");
    }

    private static string FlagName(XfsShutdownFlags flags) => flags switch
    {
        XfsShutdownFlags.CorruptOndisk => "SHUTDOWN_CORRUPT_ONDISK",
        XfsShutdownFlags.ForceUmount => "SHUTDOWN_FORCE_UMOUNT",
        XfsShutdownFlags.CorruptIncore => "SHUTDOWN_CORRUPT_INCORE",
        XfsShutdownFlags.LogIoError => "SHUTDOWN_LOG_IO_ERROR",
        XfsShutdownFlags.MetaIoError => "SHUTDOWN_META_IO_ERROR",
        XfsShutdownFlags.DeviceRemoved => "SHUTDOWN_DEVICE_REMOVED",
        _ => "SHUTDOWN_" + ((uint)flags).ToString("x", CultureInfo.InvariantCulture),
    };
}
