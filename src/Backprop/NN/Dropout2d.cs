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
    protected override Tensor Apply(Tensor input, float p, bool training, Generator? generator) => Tensor.Dropout2d(input, p, training, generator);
}
