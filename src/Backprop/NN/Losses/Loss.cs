using Backprop.Kernels;

namespace Backprop.NN.Losses;

/// <summary>The base of every loss: a function of a prediction and a target, usually reduced to a scalar.</summary>
/// <param name="reduction">How per-element losses are combined.</param>
public abstract class Loss(Reduction reduction)
{
    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>Computes the loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">The prediction.</param>
    /// <param name="target">The target.</param>
    /// <returns>The loss.</returns>
    public abstract Tensor Forward(Tensor input, Tensor target);

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
            _ => losses,
        };
    }

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

    /// <summary>
    /// Throws unless input is [N, C] scores and target is [N] class indices in [0, C), stored as floats.
    /// </summary>
    /// <param name="name">The loss, for the message.</param>
    /// <param name="input">The scores.</param>
    /// <param name="target">The class indices.</param>
    protected static void RequireClassTargets(string name, Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank != 2 || target.Rank != 1 || target.Dims[0] != input.Dims[0])
        {
            throw new ArgumentException($"{name}: input must be [N, C] and target [N] class indices; got input {Shapes.Format(input.Dims)} and target {Shapes.Format(target.Dims)}.", nameof(target));
        }

        var classes = input.Dims[1];
        for (var i = 0; i < target.Numel; i++)
        {
            var v = target.Data[i];
            if (v != MathF.Floor(v) || v < 0 || v >= classes)
            {
                throw new ArgumentException($"{name}: target {v} at position {i} is not a class index in [0, {classes}).", nameof(target));
            }
        }
    }
}
