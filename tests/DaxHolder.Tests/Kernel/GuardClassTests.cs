using System.Reflection;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Abstractions.Plugins;
using DaxHolder.Kernel.Modules;
using DaxHolder.Kernel.Modules.Guards;

namespace DaxHolder.Tests.Kernel;

/// <summary>
/// The guard is one compiled class per contract interface. The contract is closed, so these tests
/// hold the guard classes to it: every interface has one, each implements every member itself
/// (a default member a guard left out would run the interface's default on the guard, bypassing
/// the plugin), and the calls read as they always have to the watchdog and in faults.
/// </summary>
public sealed class GuardClassTests : IDisposable
{
    private static readonly Assembly Contract = typeof(IDaxHolderPlugin).Assembly;

    private readonly PluginCalls calls = new();

    private GuardScope Scope => new(new ModuleIdentity("testfs", "1.0"), calls);

    public void Dispose() => calls.Dispose();

    private static IEnumerable<Type> ContractInterfaces() =>
        Contract.GetExportedTypes().Where(t => t.IsInterface);

    public static TheoryData<string> ContractInterfaceNames() => [.. ContractInterfaces().Select(t => t.Name)];

    private static Type ContractInterface(string name) => ContractInterfaces().Single(t => t.Name == name);

    [Fact]
    public void EveryContractInterface_HasAGuardClass_AndNothingElseHasOne()
    {
        GuardFactory.Contracts.OrderBy(t => t.Name).ShouldBe(ContractInterfaces().OrderBy(t => t.Name));
    }

    [Theory]
    [MemberData(nameof(ContractInterfaceNames))]
    public void Wrap_GivesAGuardOfTheInterface_WhoseModuleAndDescriptionAreThePlugins(string name)
    {
        var contract = ContractInterface(name);
        var target = Stub.Of(contract);

        var guarded = typeof(ModuleGuard).GetMethod(nameof(ModuleGuard.Wrap))!.MakeGenericMethod(contract).Invoke(null, [target, Scope])!;

        contract.IsInstanceOfType(guarded).ShouldBeTrue();
        ModuleGuard.IsGuarded(guarded).ShouldBeTrue();
        ModuleGuard.ModuleOf(guarded).ShouldBe(new ModuleIdentity("testfs", "1.0"));
        ModuleGuard.Describe(guarded).ShouldBe($"{name} of plugin 'testfs' 1.0");
        ModuleGuard.Unwrap(guarded).ShouldBeSameAs(target);
    }

    [Theory]
    [MemberData(nameof(ContractInterfaceNames))]
    public void EveryGuardClass_ImplementsEveryMemberOfItsInterface_DefaultMembersIncluded(string name)
    {
        var contract = ContractInterface(name);
        var guard = GuardFactory.Create(contract, Stub.Of(contract), Scope).GetType();

        guard.IsSealed.ShouldBeTrue();
        var map = guard.GetInterfaceMap(contract);
        var notImplemented = map.TargetMethods.Where(m => m.DeclaringType != guard).Select(m => m.Name).ToList();
        notImplemented.ShouldBeEmpty($"{guard.Name} leaves these to the interface, so they would not reach the plugin");
    }

    [Fact]
    public void Wrap_OfAnInterfaceOutsideTheContract_FailsLoudly()
    {
        var e = Should.Throw<NotSupportedException>(() => ModuleGuard.Wrap<IComparable>(1.ToString(System.Globalization.CultureInfo.InvariantCulture), Scope));

        e.Message.ShouldContain("System.IComparable has no guard class");
    }

    [Fact]
    public void Wrap_OfAGuard_IsThatGuard()
    {
        var guarded = ModuleGuard.Wrap<IInode>(new Inode(), Scope);

        ModuleGuard.Wrap(guarded, Scope).ShouldBeSameAs(guarded);
    }

    [Fact]
    public void ADefaultMember_RunsThePluginsImplementation_WhenItHasOne_AndTheInterfacesDefaultOtherwise()
    {
        var plain = ModuleGuard.Wrap<IFileOperations>(new Files(), Scope);
        var withDirectories = ModuleGuard.Wrap<IFileOperations>(new FilesWithDirectories(), Scope);

        plain.Mkdir("/d").ShouldBe(Errno.EPERM, "fs/namei.c: vfs_mkdir() without ->mkdir");
        plain.Fsync(new InodeNumber(5)).ShouldBe(Errno.Ok);
        plain.ReadDir("/").Error.ShouldBe(Errno.EOPNOTSUPP);
        withDirectories.Mkdir("/d").ShouldBe(Errno.EEXIST);
        withDirectories.ReadDir("/").Value.ShouldHaveSingleItem().Name.ShouldBe("a");
        ModuleGuard.Wrap<IMountedFileSystem>(new Mounted(), Scope).Shutdown();
    }

    [Fact]
    public void TheRunningCall_ReadsAsInterfaceAndMember_APropertyAsItsName_WithItsArgumentText()
    {
        var inode = new Inode { Calls = calls };
        var holder = new Holder { Calls = calls };

        _ = ModuleGuard.Wrap<IInode>(inode, Scope).Number;
        ModuleGuard.Wrap<IDaxHolderOperations>(holder, Scope).NotifyFailure(null!, new DeviceOffset(0x2000), new ByteLength(4096), MfFlags.ActionRequired | MfFlags.MustKill);

        inode.Seen.ShouldBe(("IInode.Number", ""));
        holder.Seen.ShouldBe(("IDaxHolderOperations.NotifyFailure", "null, 0x2000, 4096, ActionRequired, MustKill"));
        calls.Running.ShouldBeNull("a call that returned is no longer running");
    }

    [Fact]
    public void ACallPastItsDeadline_IsNamedByTheWatchdog_WithInterfaceMemberAndArguments()
    {
        var holder = ModuleGuard.Wrap<IDaxHolderOperations>(new Holder { WaitFor = calls.Cancellation }, Scope);

        var fault = Should.Throw<PluginFault>(() => PluginWatchdog.Run(calls, TimeSpan.FromMilliseconds(100),
            () => holder.NotifyFailure(null!, new DeviceOffset(0x2000), ByteLength.Max, MfFlags.None)));

        fault.Kind.ShouldBe(PluginFaultKind.TimedOut);
        fault.Message.ShouldBe("plugin 'testfs' 1.0 faulted in IDaxHolderOperations.NotifyFailure(null, 0x2000, 18446744073709551615, None): did not return within 0.1 s (--plugin-timeout); the call was abandoned");
    }

    [Fact]
    public void AnExceptionFromThePlugin_IsAFaultNamingPluginCallAndArguments_WithTheExceptionInside()
    {
        var cache = ModuleGuard.Wrap<IInodeCache>(new Cache { Throws = new InvalidOperationException("iget exploded") }, Scope);

        var fault = Should.Throw<PluginFault>(() => cache.Iget(new InodeNumber(131)));

        fault.Message.ShouldBe("plugin 'testfs' 1.0 faulted in IInodeCache.Iget(131): InvalidOperationException: iget exploded");
        fault.Kind.ShouldBe(PluginFaultKind.Threw);
        fault.InnerException.ShouldBeOfType<InvalidOperationException>();
        calls.Running.ShouldBeNull();
    }

    [Fact]
    public void TheKernelsOwnExceptions_PassThroughUnchanged()
    {
        var inner = new PluginFault(new ModuleIdentity("other", "2.0"), "IIomapOps.IomapBegin", "", PluginFaultKind.Threw, "nested");
        var cache = ModuleGuard.Wrap<IInodeCache>(new Cache { Throws = inner }, Scope);

        Should.Throw<PluginFault>(() => cache.Iget(new InodeNumber(131))).ShouldBeSameAs(inner);
    }

    [Fact]
    public void AnErrnoOutsideTheNamedOnes_IsAContractViolation()
    {
        var files = ModuleGuard.Wrap<IFileOperations>(new Files { Unlinked = (Errno)9999 }, Scope);

        var fault = Should.Throw<PluginFault>(() => files.Unlink("/a"));

        fault.Kind.ShouldBe(PluginFaultKind.ContractViolation);
        fault.Message.ShouldBe("plugin 'testfs' 1.0 faulted in IFileOperations.Unlink(\"/a\"): returned errno 9999, which is not one of the named errnos (DaxHolder.Abstractions.Errno)");
    }

    [Fact]
    public void ContractObjectsReturned_AreGuarded_AndHandedBackToThePluginAsItsOwn()
    {
        var own = new Inode();
        var plugin = new Cache { Inode = own };
        var cache = ModuleGuard.Wrap<IInodeCache>(plugin, Scope);

        var got = cache.Iget(new InodeNumber(131)).Value;
        var found = cache.FindInCore(new InodeNumber(131))!;
        var listed = cache.InCore.ShouldHaveSingleItem();
        cache.Iput(got);

        ModuleGuard.IsGuarded(got).ShouldBeTrue();
        ModuleGuard.IsGuarded(found).ShouldBeTrue();
        ModuleGuard.IsGuarded(listed).ShouldBeTrue();
        plugin.PutBack.ShouldBeSameAs(own, "the plugin sees its own type, never the guard");
    }

    [Fact]
    public void ACallOnAnAbandonedMachine_IsCancelled()
    {
        var inode = ModuleGuard.Wrap<IInode>(new Inode { AbandonOnRead = calls }, Scope);

        Should.Throw<OperationCanceledException>(() => inode.Size).Message.ShouldBe("the machine was abandoned at its plugin call's deadline");
        Should.Throw<OperationCanceledException>(() => inode.Size).Message.ShouldBe("the machine was abandoned");
    }

    /// <summary>Any contract interface, implemented by returning defaults.</summary>
#pragma warning disable CA1852 // DispatchProxy derives from it
    public class Stub : DispatchProxy
#pragma warning restore CA1852
    {
        public static object Of(Type contract) => Create(contract, typeof(Stub));

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.ReturnType.IsValueType && targetMethod.ReturnType != typeof(void) ? Activator.CreateInstance(targetMethod.ReturnType) : null;
    }

    private sealed class Inode : IInode
    {
        public PluginCalls? Calls { get; init; }

        public PluginCalls? AbandonOnRead { get; init; }

        public (string Name, string Arguments)? Seen { get; private set; }

        public InodeNumber Number
        {
            get
            {
                if (Calls is { Running: { } call })
                {
                    Seen = (call.Name, call.ArgumentText);
                }

                return new InodeNumber(131);
            }
        }

        public ByteLength Size
        {
            get
            {
                AbandonOnRead?.Abandon();
                return ByteLength.Zero;
            }
        }

        public IAddressSpace Mapping => null!;

        public int ReferenceCount => 1;
    }

    private sealed class Cache : IInodeCache
    {
        public Inode Inode { get; init; } = new();

        public Exception? Throws { get; init; }

        public IInode? PutBack { get; private set; }

        public IReadOnlyList<IInode> InCore => [Inode];

        public ErrnoOr<IInode> Iget(InodeNumber inode) =>
            Throws is { } e ? throw e : ErrnoOr<IInode>.Ok(Inode);

        public void Iput(IInode inode) => PutBack = inode;

        public IInode? FindInCore(InodeNumber inode) => Inode;

        public int PruneUnreferenced() => 0;
    }

    private sealed class Holder : IDaxHolderOperations
    {
        public PluginCalls? Calls { get; init; }

        public (string Name, string Arguments)? Seen { get; private set; }

        public CancellationToken WaitFor { get; init; }

        public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
        {
            if (Calls is { Running: { } call })
            {
                Seen = (call.Name, call.ArgumentText);
            }

            if (WaitFor.CanBeCanceled)
            {
                WaitFor.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
            }

            return Errno.Ok;
        }
    }

    private class Files : IFileOperations
    {
        public Errno Unlinked { get; init; }

        public ErrnoOr<InodeNumber> Lookup(string path) => ErrnoOr<InodeNumber>.Fail(Errno.ENOENT);

        public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options) => ErrnoOr<InodeNumber>.Fail(Errno.ENOSPC);

        public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length) => ErrnoOr<ByteLength>.Ok(length);

        public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length) => ErrnoOr<ByteLength>.Ok(length);

        public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length) => Errno.Ok;

        public Errno Clone(InodeNumber source, InodeNumber destination) => Errno.EOPNOTSUPP;

        public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length) => Errno.EOPNOTSUPP;

        public Errno Truncate(InodeNumber inode, ByteLength size) => Errno.Ok;

        public Errno Unlink(string path) => Unlinked;
    }

    private sealed class FilesWithDirectories : Files, IFileOperations
    {
        public Errno Mkdir(string path) => Errno.EEXIST;

        public ErrnoOr<IReadOnlyList<DirectoryEntry>> ReadDir(string path) =>
            ErrnoOr<IReadOnlyList<DirectoryEntry>>.Ok([new DirectoryEntry("a", new InodeNumber(131), false)]);
    }

    private sealed class Mounted : IMountedFileSystem
    {
        public ISuperBlock SuperBlock => null!;

        public IFileOperations Files => new Files();

        public IInodeCache Inodes => new Cache();

        public IIomapOps Iomap => null!;

        public IReverseMap ReverseMap => null!;

        public Errno Unmount() => Errno.Ok;
    }
}
