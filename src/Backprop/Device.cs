namespace Backprop;

/// <summary>
/// Where a tensor's storage lives and its ops run, as PyTorch's torch.device. Only <see cref="Cpu"/>
/// exists today; a tensor's device is part of its identity so that a second one (a GPU) can be added
/// behind the same API.
/// </summary>
public sealed class Device : IEquatable<Device>
{
    private Device(string type) => Type = type;

    /// <summary>The CPU: managed arrays and the SIMD kernels.</summary>
    public static Device Cpu { get; } = new("cpu");

    /// <summary>The device type's name, as PyTorch writes it ("cpu").</summary>
    public string Type { get; }

    /// <inheritdoc/>
    public bool Equals(Device? other) => other is not null && other.Type == Type;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Device);

    /// <inheritdoc/>
    public override int GetHashCode() => Type.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => Type;
}
