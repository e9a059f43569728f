using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Arch.X86;
using DaxHolder.Kernel.Drivers.Nvdimm;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.Memremap;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Mm.Tasks;
using DaxHolder.Kernel.Modules;
using DaxHolder.Kernel.Signal;
using DaxHolder.Kernel.Trace;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Kernel;

/// <summary>
/// One simulated machine: a kernel of one version profile with its subsystems, composed in its
/// own DI container (so every scenario starts from a fresh machine). Each plugin is loaded as a
/// module with a container of its own (<see cref="Filesystems"/>), and reached only through the
/// guard.
/// </summary>
internal sealed class Machine : IDisposable
{
    private readonly ServiceProvider provider;

    private Machine(ServiceProvider provider)
    {
        this.provider = provider;
        Services = provider;
    }

    /// <summary>The machine's container: plugins' registrations resolve here.</summary>
    public IServiceProvider Services { get; }

    public KernelContext Kernel => Get<KernelContext>();

    public TaskList Tasks => Get<TaskList>();

    public NvdimmBus Nvdimm => Get<NvdimmBus>();

    public DevPagemaps Pagemaps => Get<DevPagemaps>();

    public FsDax Dax => Get<FsDax>();

    public Vfs Vfs => Get<Vfs>();

    public Sync Sync => Get<Sync>();

    /// <summary>The registered filesystem types (fs/filesystems.c), each guarded.</summary>
    public Filesystems Filesystems => Get<Filesystems>();

    /// <summary>The calls into plugins on this machine: the watchdog's view, and their cancellation.</summary>
    public PluginCalls PluginCalls => Get<PluginCalls>();

    public Exit Exit => Get<Exit>();

    public Fault Fault => Get<Fault>();

    public Mce Mce => Get<Mce>();

    public Madvise Madvise => Get<Madvise>();

    public HwpoisonInject HwpoisonInject => Get<HwpoisonInject>();

    public MemoryFailureHandler MemoryFailure => Get<MemoryFailureHandler>();

    public SignalDelivery Signals => Get<SignalDelivery>();

    public DecisionTrace Trace => Kernel.Trace;

    /// <summary>A fresh machine running <paramref name="profile"/>, with <paramref name="modules"/> (plugins) loaded.</summary>
    public static Machine Boot(KernelProfile profile, IEnumerable<KernelModule>? modules = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        IServiceCollection services = new ServiceCollection();
        services.AddSingleton(new KernelContext(profile));
        services.AddSingleton<TaskList>();
        services.AddSingleton<DevPagemaps>();
        services.AddSingleton<NvdimmBus>();
        services.AddSingleton<FsDax>();
        services.AddSingleton<Filemap>();
        services.AddSingleton<Truncate>();
        services.AddSingleton<Exit>();
        services.AddSingleton<SignalDelivery>();
        services.AddSingleton<Dumpstack>();
        services.AddSingleton<MemoryFailureHandler>();
        services.AddSingleton<Mce>();
        services.AddSingleton<Fault>();
        services.AddSingleton<Madvise>();
        services.AddSingleton<HwpoisonInject>();
        services.AddSingleton<PluginCalls>();
        services.AddSingleton(sp => new Filesystems(modules ?? [], sp.GetRequiredService<PluginCalls>()));
        services.AddSingleton<Func<GuardScope, KernelServices>>(sp => scope => new KernelServices(
            sp.GetRequiredService<KernelContext>(), sp.GetRequiredService<Truncate>(), sp.GetRequiredService<FsDax>(),
            sp.GetRequiredService<MemoryFailureHandler>(), scope));
        services.AddSingleton<Vfs>();
        services.AddSingleton<Sync>();

        return new Machine(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

    /// <summary>
    /// umount(2) by <paramref name="caller"/>, or by a process the scenario does not name. An oops
    /// inside kill_sb (the device's memory is gone under the file's DAX entries) kills that process:
    /// the call never returns (null), and the mount is already detached from the namespace.
    /// </summary>
    public Errno? Umount(Mount mount, TaskStruct? caller = null)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var result = Get<Dumpstack>().RunAsCurrent<Errno?>(MemoryFailure, caller, () => Vfs.Unmount(mount), null);
        if (result is null)
        {
            Vfs.Detach(mount);
        }

        return result;
    }

    /// <summary>
    /// Device unbind (echo pfnX.Y &gt; .../unbind) by <paramref name="writer"/> (current): devres
    /// teardown of the pmem device (drivers/nvdimm/pmem.c): pmem_release_disk (kill_dax with its
    /// holder notification, del_gendisk), then memunmap_pages. User PTEs that nobody revoked are
    /// left pointing at removed memory: the model counts them as stale.
    /// </summary>
    public void Unbind(PmemDevice pmem, TaskStruct? writer)
    {
        ArgumentNullException.ThrowIfNull(pmem);
        Get<Dumpstack>().RunAsCurrent(MemoryFailure, writer, () =>
        {
            pmem.ReleaseDisk(Vfs.MarkDead);
            return true;
        }, false);

        var stale = Unmap.CountMappingsOf(Tasks.Processes.Where(p => p.Mm is not null).Select(p => p.Mm!), pmem.Pagemap.Start, pmem.Pagemap.End);
        if (stale > 0)
        {
            Trace.Add(new NotModelled($"{stale} user page-table entr{(stale == 1 ? "y" : "ies")} still map {pmem.Name}'s removed memory: what such an access does is undefined (mm/memremap.c: memunmap_pages() removed the pages under them)"));
        }

        Signals.DeliverPending(Tasks);
    }

    /// <summary>fork() by <paramref name="parent"/>: a new process with a copy of its mm (kernel/fork.c: copy_process, dup_mmap).</summary>
    public TaskStruct Fork(TaskStruct parent, int pid, string? comm = null)
    {
        ArgumentNullException.ThrowIfNull(parent);
        var child = Tasks.ForkProcess(parent, pid, comm);
        Mmap.DupMmap(parent.Group.Mm!, child.Group.Mm!);
        child.Group.Files = parent.Group.Files.Dup();
        return child;
    }

    /// <summary>exit(2) of a whole process.</summary>
    public void ExitProcess(TaskStruct task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Exit.DoGroupExit(task.Group, "exited");
    }

    /// <summary>
    /// A synchronous machine check on <paramref name="task"/>'s access to <paramref name="address"/>:
    /// the memory behind it goes bad without the driver knowing (no bad block yet), then the task
    /// touches it. If the page is not mapped yet the fault maps it first; the load consumes the
    /// poison and kill_me_maybe() runs (arch/x86/kernel/cpu/mce/core.c). With no VMA at the address
    /// the access never reaches memory: the fault gives SIGSEGV (arch/x86/mm/fault.c).
    /// </summary>
    public AccessResult SynchronousMachineCheck(TaskStruct task, Units.UserAddress address, bool write = false)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Group.Mm?.FindVma(address) is null)
        {
            // No VMA at the address: the load faults before it reaches memory (bad_area_nosemaphore: SIGSEGV).
            return Fault.UserAccess(task, address, write);
        }

        var leaf = task.Group.Mm!.PageTable.Lookup(address);
        if (leaf is null)
        {
            // Fault the page in before the memory goes bad, so the access itself takes the #MC.
            var faulted = Fault.UserAccess(task, address, write: false);
            if (faulted != AccessResult.Done)
            {
                return faulted;
            }

            leaf = task.Group.Mm!.PageTable.Lookup(address);
        }

        var pfn = leaf is { Kind: PteKind.Dax, Pfn: { } head } ? head.Add((address.Value - leaf.Address.Value) >> Abstractions.PageGeometry.PageShift) : (Abstractions.Pfn?)null;
        if (pfn is null || Nvdimm.FindByDataPfn(pfn.Value) is not { } pmem)
        {
            Trace.Add(new NotModelled($"{address} of {task} is not backed by pmem: a machine check on ordinary RAM is outside the model"));
            return AccessResult.NotModelled;
        }

        pmem.InjectMediaError(pmem.OffsetOf(pfn.Value));
        return Fault.UserAccess(task, address, write);
    }

    /// <summary>
    /// Module exit for every plugin (their services' Dispose, guarded): a fault here is the
    /// plugin's, reported like any other. Disposing the machine does it too, quietly.
    /// </summary>
    public void UnloadModules() => Filesystems.Dispose();

    /// <summary>Every task runs: pending signals are delivered (the end of a scenario step).</summary>
    public void DeliverPendingSignals() => Signals.DeliverPending(Tasks);

    private T Get<T>()
        where T : notnull => provider.GetRequiredService<T>();

    public void Dispose()
    {
        try
        {
            provider.Dispose();
        }
        catch (PluginFault)
        {
            // A module whose exit faults after the cell's decisions were taken: UnloadModules is
            // where a caller that wants to see it looks; a machine being thrown away does not.
        }
    }
}
