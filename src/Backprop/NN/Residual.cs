namespace Backprop.NN;

/// <summary>
/// A residual block: <see cref="Body"/>(x) + <see cref="Shortcut"/>(x), the shortcut being the identity
/// unless given (a 1×1 convolution with a stride, to match a body that changes the channels or the size).
/// State-dict keys are "body.N.…" and "shortcut.N.…".
/// </summary>
public sealed class Residual : Module<Tensor, Tensor>
{
    /// <summary>Makes the block.</summary>
    /// <param name="body">The layers whose output is added to the shortcut's.</param>
    /// <param name="shortcut">The shortcut's layers; null for the identity.</param>
    public Residual(Sequential body, Sequential? shortcut = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = RegisterModule("body", body);
        if (shortcut is not null)
        {
            Shortcut = RegisterModule("shortcut", shortcut);
        }
    }

    /// <summary>The layers whose output is added to the shortcut's.</summary>
    public Sequential Body { get; }

    /// <summary>The shortcut's layers, or null for the identity.</summary>
    public Sequential? Shortcut { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var body = Body.Forward(input);
        var shortcut = Shortcut?.Forward(input) ?? input;
        if (!body.Dims.AsSpan().SequenceEqual(shortcut.Dims))
        {
            throw new ArgumentException($"Residual: the body gives {Kernels.Shapes.Format(body.Dims)} but the shortcut {Kernels.Shapes.Format(shortcut.Dims)}; give the block a shortcut that matches (like a 1×1 Conv2d with the body's stride).", nameof(input));
        }

        return body + shortcut;
    }
}
