using Backprop.Kernels;

namespace Backprop.NN.Losses;

/// <summary>The base of every loss: a module of a prediction and a target, usually reduced to a scalar.</summary>
/// <param name="reduction">How per-element losses are combined.</param>
public abstract class Loss(Reduction reduction) : Module<Tensor, Tensor, Tensor>
{
    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>Applies <see cref="Reduction"/>.</summary>
    /// <param name="losses">The unreduced losses.</param>
    /// <returns>The reduced loss.</returns>
    protected Tensor Reduce(Tensor losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        return Reduction switch
        {
            Reduction.Mean => losses.Mean(),
            Reduction.Sum => losses.Sum(),
            Reduction.BatchMean => losses.Sum() / (losses.Rank == 0 ? 1 : losses.Dims[0]),
            _ => losses,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}(reduction={Reduction})";

    /// <summary>Throws unless input and target have the same shape.</summary>
    /// <param name="name">The loss, for the message.</param>
    /// <param name="input">The prediction.</param>
    /// <param name="target">The target.</param>
    protected static void RequireSameShape(string name, Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!input.Dims.AsSpan().SequenceEqual(target.Dims))
        {
            throw new ArgumentException($"{name}: input {Shapes.Format(input.Dims)} and target {Shapes.Format(target.Dims)} differ in shape.", nameof(target));
        }
    }
}
