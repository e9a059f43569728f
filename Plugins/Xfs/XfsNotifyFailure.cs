using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Format;
using DaxHolder.Plugins.Xfs.Libxfs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// fs/xfs/xfs_notify_failure.c: xfs_dax_holder_operations, as the kernel profile has it
/// (xfs_dax_notify_failure(), xfs_dax_notify_ddev_failure(), xfs_dax_failure_fn()). The range
/// arithmetic follows the profile's features: the inclusive end (5cf32f63b0f4), the per-AG
/// blockcount (3c90c01e4934), the whole-device pre-remove case (6.7), the log-device translation
/// (f4ed93037966) and the dax_mapping() check (6.7).
/// </summary>
internal sealed partial class XfsMount : IDaxHolderOperations
{
    private const string SourceFile = "fs/xfs/xfs_notify_failure.c";

    private List<RmapRec>? rmapScratch;

    /// <summary>xfs_dax_notify_failure(dax_dev, offset, len, mf_flags).</summary>
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        // The VFS sets SB_BORN only after fill_super returned (6.0-rc8's fix tests s_flags).
        if (!SuperBlock.IsBorn)
        {
            Message.Warn("filesystem is not ready for notify_failure()!");
            return Errno.EIO;
        }

        var profile = Kernel.Profile;
        if (RtDax is not null && ReferenceEquals(RtDax, daxDevice))
        {
            // 6.14's realtime rmap (XfsRealtimeRmap) is not modelled: the rt device has no rmap here.
            Message.Debug("notify_failure() not supported on realtime device!");
            return Errno.EOPNOTSUPP;
        }

        if (LogDax is not null && ReferenceEquals(LogDax, daxDevice))
        {
            return NotifyLogdevFailure(offset, length, flags);
        }

        if (!Image.HasRmapbt)
        {
            Message.Debug("notify_failure() needs rmapbt enabled!");
            return Errno.EOPNOTSUPP;
        }

        var range = TranslateRange(Image.Device, offset.Value, length.Value, profile);
        if (!range.IsOk)
        {
            return range.Error;
        }

        return NotifyDdevFailure(range.Value.Daddr, range.Value.BbLength, flags);
    }

    /// <summary>
    /// The external log's dax_device: with f4ed93037966, xfs_dax_notify_logdev_failure (a range
    /// beyond the log is -ENXIO); before it, any offset. Pre-remove returns 0; anything else is
    /// "ondisk log corrupt", CORRUPT_ONDISK, -EFSCORRUPTED.
    /// </summary>
    private Errno NotifyLogdevFailure(DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        var translate = Kernel.Profile.Has(KernelFeature.XfsLogdevFailureTranslate);
        if (translate)
        {
            var range = TranslateRange(Image.LogDevice!, offset.Value, length.Value, Kernel.Profile);
            if (!range.IsOk)
            {
                return range.Error;
            }
        }

        if ((flags & MfFlags.MemPreRemove) != 0)
        {
            return Errno.Ok;
        }

        Message.Err("ondisk log corrupt, shutting down fs!");
        XfsShutdown.ForceShutdown(SuperBlock, Message, XfsShutdownFlags.CorruptOndisk,
            translate ? new ShutdownSite("xfs_dax_notify_logdev_failure", SourceFile, 225) : new ShutdownSite("xfs_dax_notify_failure", SourceFile, 201));
        return Errno.EFSCORRUPTED;
    }

    /// <summary>
    /// The range translation of xfs_dax_notify_failure (≤6.12 before the backport) or
    /// xfs_dax_translate_range (after): 6.7+ turns (0, U64_MAX) into the whole device; a range
    /// wholly outside the device is -ENXIO; the rest is clipped and made relative, and BTOBB
    /// rounds both up to 512-byte basic blocks. The tail clamp compares a relative offset with
    /// an absolute end, as the kernel does. u64 arithmetic wraps, as in C.
    /// </summary>
    private static ErrnoOr<(ulong Daddr, ulong BbLength)> TranslateRange(IBlockDevice device, ulong offset, ulong len, KernelProfile profile)
    {
        unchecked
        {
            var inclusive = profile.Has(KernelFeature.XfsInclusiveRangeEnd);
            var start = device.Start.Value;
            var end = start + device.Size.Value - (inclusive ? 1UL : 0UL);
            if (profile.Has(KernelFeature.MemPreRemove) && offset == 0 && len == ulong.MaxValue)
            {
                offset = start;
                len = device.Size.Value;
            }

            if ((inclusive ? offset + len - 1 : offset + len) < start || offset > end)
            {
                return ErrnoOr<(ulong, ulong)>.Fail(Errno.ENXIO, "xfs: the failure lies outside this filesystem's device");
            }

            if (offset > start)
            {
                offset -= start;
            }
            else
            {
                len -= start - offset;
                offset = 0;
            }

            if (inclusive && offset + len - 1 > end)
            {
                len = end - offset + 1;
            }
            else if (!inclusive && offset + len > end)
            {
                len -= end - offset;
            }

            return ErrnoOr<(ulong, ulong)>.Ok((BtoBb(offset), BtoBb(len)));
        }
    }

    /// <summary>
    /// xfs_dax_notify_ddev_failure(): pre-remove says so and freezes; then, AG by AG,
    /// every rmap record overlapping the range goes to xfs_dax_failure_fn in startblock order (each
    /// query and record traced for the report);
    /// after the walk, pre-remove forces FORCE_UMOUNT, otherwise an error or a metadata owner
    /// shuts the filesystem down (CORRUPT_ONDISK) and the answer is the error or -EFSCORRUPTED;
    /// pre-remove thaws last.
    /// </summary>
    private Errno NotifyDdevFailure(ulong daddr, ulong bblen, MfFlags flags)
    {
        var profile = Kernel.Profile;
        var g = Image.Geometry;
        var preRemove = (flags & MfFlags.MemPreRemove) != 0;
        var fsbno = g.DaddrToFsb(daddr);
        var endFsbno = g.DaddrToFsb(profile.Has(KernelFeature.XfsInclusiveRangeEnd) ? daddr + bblen - 1 : daddr + bblen);
        var kernelFrozen = false;
        if (preRemove)
        {
            Message.Info("Device is about to be removed!");
            kernelFrozen = NotifyFailureFreeze() == Errno.Ok;
        }

        var notify = new FailureInfo(flags);
        var error = Errno.Ok;
        for (var agno = g.FsbToAgno(fsbno); agno <= g.FsbToAgno(endFsbno); agno++)
        {
            // Past the last AG the kernel's xfs_perag_get returns NULL and the AGF read
            // dereferences it (a 6.1 unbind of a partition can get here); the model stops instead.
            if (agno >= g.AgCount)
            {
                break;
            }

            var ag = Image.Ags[(int)agno];
            var low = g.FsbToAgbno(fsbno);
            var high = agno == g.FsbToAgno(endFsbno) ? g.FsbToAgbno(endFsbno) : uint.MaxValue;
            notify.StartBlock = low;
            notify.BlockCount = profile.Has(KernelFeature.XfsCorrectAgBlockcount)
                ? Math.Min(ag.Length - 1, high) + 1 - low
                : Math.Min(ag.Length, high) - low;
            Kernel.TraceRmapQuery(ReverseMapView.Extent(agno, low, Math.Min(high, ag.Length - 1) - low + 1));
            // The records are a snapshot taken before the walk (failure_fn may change the tree),
            // in a list kept between events; a nested notify_failure takes a list of its own.
            var records = rmapScratch ?? [];
            rmapScratch = null;
            ag.Rmap.QueryRange(low, high, records);
            foreach (var rec in records)
            {
                error = DaxFailureFn(agno, rec, notify);
                if (error != Errno.Ok)
                {
                    break;
                }
            }

            records.Clear();
            rmapScratch = records;

            if (error != Errno.Ok)
            {
                break;
            }

            fsbno = g.AgbToFsb(agno + 1, 0);
        }

        if (preRemove)
        {
            XfsShutdown.ForceShutdown(SuperBlock, Message, XfsShutdownFlags.ForceUmount, new ShutdownSite("xfs_dax_notify_ddev_failure", SourceFile, 316));
        }
        else if (error != Errno.Ok || notify.WantShutdown)
        {
            // %pS names the function the return address lies in: Debian's 6.1.192 inlines the static
            // xfs_dax_notify_ddev_failure() into xfs_dax_notify_failure() and printed that name; with
            // the realtime rmap (6.14) the walk is xfs_dax_notify_dev_failure(), line 359 in 7.2.13.
            XfsShutdown.ForceShutdown(SuperBlock, Message, XfsShutdownFlags.CorruptOndisk,
                profile.Has(KernelFeature.XfsRealtimeRmap) ? new ShutdownSite("xfs_dax_notify_dev_failure", SourceFile, 359)
                : profile.Has(KernelFeature.MemPreRemove) ? new ShutdownSite("xfs_dax_notify_ddev_failure", SourceFile, 318)
                : new ShutdownSite("xfs_dax_notify_failure", SourceFile, 169));
            if (error == Errno.Ok)
            {
                error = Errno.EFSCORRUPTED;
            }
        }

        if (preRemove)
        {
            NotifyFailureThaw(kernelFrozen);
        }

        return error;
    }

    /// <summary>The contract's record of an AG's rmapbt record, made only when the report lists it (<see cref="IKernelServices.TraceRmapRecord{TState}"/>).</summary>
    private static RmapRecord ToRecord((XfsReverseMap View, uint Agno, RmapRec Rec) visited) => visited.View.ToRecord(visited.Agno, visited.Rec);

    /// <summary>
    /// xfs_dax_failure_fn(), each record traced with what it does: metadata, attr-fork and bmbt owners set want_shutdown
    /// (ignored on pre-remove); an inode not in core is skipped; a file owner's processes go to
    /// mf_dax_kill_procs with its own pgoff and count (6.7+: only for a dax_mapping()), and
    /// pre-remove then invalidates the range.
    /// </summary>
    private Errno DaxFailureFn(uint agno, RmapRec rec, FailureInfo notify)
    {
        if (XfsRmapOwner.IsNonInode(rec.Owner) || (rec.Flags & (RmapRecordFlags.AttrFork | RmapRecordFlags.BmbtBlock)) != 0)
        {
            Kernel.TraceRmapRecord((ReverseMapView, agno, rec), ToRecord, RmapVisit.Metadata);

            // Continue the query because this isn't a failure.
            if ((notify.Flags & MfFlags.MemPreRemove) == 0)
            {
                notify.WantShutdown = true;
            }

            return Errno.Ok;
        }

        // xfs_iget(XFS_IGET_INCORE): -ENODATA for an inode that is not cached; skip it.
        if (Cache.Cached(rec.Owner) is not { } ip)
        {
            Kernel.TraceRmapRecord((ReverseMapView, agno, rec), ToRecord, RmapVisit.NotInCore);
            return Errno.Ok;
        }

        var dax = !Kernel.Profile.Has(KernelFeature.XfsDaxMappingCheck) || ip.Mapping.IsDax;
        Kernel.TraceRmapRecord((ReverseMapView, agno, rec), ToRecord, dax ? RmapVisit.Notified : RmapVisit.NotDax);

        var pgoff = rec.Offset + (notify.StartBlock > rec.StartBlock ? notify.StartBlock - rec.StartBlock : 0);
        var startCross = Math.Max(rec.StartBlock, notify.StartBlock);
        var endCross = Math.Min(rec.End, notify.StartBlock + notify.BlockCount);
        var pgcnt = endCross > startCross ? endCross - startCross : 0u;
        var error = Errno.Ok;
        if (dax)
        {
            error = Kernel.MfDaxKillProcs(ip.Mapping, new PageIndex(pgoff), new PageCount(pgcnt), notify.Flags);
        }

        if ((notify.Flags & MfFlags.MemPreRemove) != 0 && pgcnt > 0)
        {
            Kernel.InvalidateInodePages2Range(ip.Mapping, new PageIndex(pgoff), new PageIndex(pgoff + pgcnt - 1));
        }

        return error;
    }

    /// <summary>xfs_dax_notify_failure_freeze: freeze_super(FREEZE_HOLDER_KERNEL), complaining if it fails.</summary>
    private Errno NotifyFailureFreeze()
    {
        var error = SuperBlock.FreezeSuper(FreezeHolder.Kernel);
        if (error != Errno.Ok)
        {
            Message.Emerg($"already frozen by kernel, err={error.ToReturnCode()}");
        }

        return error;
    }

    /// <summary>xfs_dax_notify_failure_thaw: the kernel's freeze if it was ours, then always the userspace one.</summary>
    private void NotifyFailureThaw(bool kernelFrozen)
    {
        if (kernelFrozen)
        {
            var error = SuperBlock.ThawSuper(FreezeHolder.Kernel);
            if (error != Errno.Ok)
            {
                Message.Emerg($"still frozen after notify failure, err={error.ToReturnCode()}");
            }
        }

        // Also thaw userspace call anyway because the device is about to be removed immediately.
        SuperBlock.ThawSuper(FreezeHolder.Userspace);
    }

    /// <summary>BTOBB: bytes to 512-byte basic blocks, rounded up.</summary>
    private static ulong BtoBb(ulong bytes) => unchecked(bytes + (1UL << XfsGeometry.BbShift) - 1) >> XfsGeometry.BbShift;

    /// <summary>struct xfs_failure_info.</summary>
    private sealed class FailureInfo(MfFlags flags)
    {
        public uint StartBlock { get; set; }

        public uint BlockCount { get; set; }

        public MfFlags Flags { get; } = flags;

        public bool WantShutdown { get; set; }
    }
}
