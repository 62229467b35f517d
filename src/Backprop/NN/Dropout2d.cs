namespace Backprop.NN;

/// <summary>
/// In training mode, zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p and scales the
/// rest by 1/(1−p), as torch.nn.Dropout2d; in evaluation mode, passes the input through.
/// </summary>
/// <param name="p">The probability of zeroing a channel, in [0, 1).</param>
/// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
public sealed class Dropout2d(float p = 0.5f, Generator? generator = null) : DropoutBase(p, generator)
{
    /// <inheritdoc/>
    protected override int[] MaskShape(Tensor input) => input.Rank switch
    {
        4 => [input.Dims[0], input.Dims[1], 1, 1],
        3 => [input.Dims[0], 1, 1],
        _ => throw new ArgumentException($"Dropout2d: input {Kernels.Shapes.Format(input.Dims)} must be [N, C, H, W] or [C, H, W].", nameof(input)),
    };
}
