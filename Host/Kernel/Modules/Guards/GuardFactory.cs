using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Abstractions.Plugins;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>
/// The guard class of each contract interface. The contract is closed (every interface of the
/// Abstractions assembly), and a test holds this table to it: an interface added to the contract
/// without a guard here fails that test, and <see cref="ModuleGuard.Wrap{T}"/> refuses it.
/// </summary>
internal static class GuardFactory
{
    private static readonly Dictionary<Type, Func<object, GuardScope, Guard>> Factories = new()
    {
        [typeof(IDaxHolderPlugin)] = (target, scope) => new GuardedDaxHolderPlugin((IDaxHolderPlugin)target, scope),
        [typeof(IFileSystemType)] = (target, scope) => new GuardedFileSystemType((IFileSystemType)target, scope),
        [typeof(IFileSystemImage)] = (target, scope) => new GuardedFileSystemImage((IFileSystemImage)target, scope),
        [typeof(IMountedFileSystem)] = (target, scope) => new GuardedMountedFileSystem((IMountedFileSystem)target, scope),
        [typeof(IFileOperations)] = (target, scope) => new GuardedFileOperations((IFileOperations)target, scope),
        [typeof(IInode)] = (target, scope) => new GuardedInode((IInode)target, scope),
        [typeof(IInodeCache)] = (target, scope) => new GuardedInodeCache((IInodeCache)target, scope),
        [typeof(IIomapOps)] = (target, scope) => new GuardedIomapOps((IIomapOps)target, scope),
        [typeof(IReverseMap)] = (target, scope) => new GuardedReverseMap((IReverseMap)target, scope),
        [typeof(IDaxHolderOperations)] = (target, scope) => new GuardedDaxHolderOperations((IDaxHolderOperations)target, scope),
        [typeof(ISuperBlock)] = (target, scope) => new GuardedSuperBlock((ISuperBlock)target, scope),
        [typeof(IAddressSpace)] = (target, scope) => new GuardedAddressSpace((IAddressSpace)target, scope),
        [typeof(IBlockDevice)] = (target, scope) => new GuardedBlockDevice((IBlockDevice)target, scope),
        [typeof(IDaxDevice)] = (target, scope) => new GuardedDaxDevice((IDaxDevice)target, scope),
        [typeof(IKernelLog)] = (target, scope) => new GuardedKernelLog((IKernelLog)target, scope),
        [typeof(IKernelServices)] = (target, scope) => new GuardedKernelServices((IKernelServices)target, scope),
    };

    /// <summary>The contract interfaces that have a guard class.</summary>
    public static IReadOnlyCollection<Type> Contracts => Factories.Keys;

    /// <summary>A guard of <paramref name="contract"/> around <paramref name="target"/>, which implements it.</summary>
    /// <exception cref="NotSupportedException"><paramref name="contract"/> has no guard class.</exception>
    public static Guard Create(Type contract, object target, GuardScope scope) =>
        Factories.TryGetValue(contract, out var create)
            ? create(target, scope)
            : throw new NotSupportedException($"{contract} has no guard class: every interface a plugin hands the kernel is one of the contract's (DaxHolder.Abstractions), each guarded in {typeof(GuardFactory).Namespace}");
}
