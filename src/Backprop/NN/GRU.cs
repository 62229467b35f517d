using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>
/// A gated recurrent unit layer, as torch.nn.GRU: r = σ(·), z = σ(·), n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)),
/// h = (1 − z) ⊙ n + z ⊙ h₋, with the gates stacked r, z, n in the weights; multi-layer and optionally bidirectional.
/// </summary>
public sealed class GRU : RNNBase
{
    /// <summary>Makes the layers.</summary>
    /// <param name="inputSize">The features of each input step.</param>
    /// <param name="hiddenSize">The hidden state's size.</param>
    /// <param name="numLayers">The stacked layers.</param>
    /// <param name="bias">Whether the layers have biases.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, features].</param>
    /// <param name="dropout">The dropout between layers in training.</param>
    /// <param name="bidirectional">Whether each layer also runs backwards.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public GRU(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f, bool bidirectional = false, Generator? generator = null)
        : base("GRU", CellKind.Gru, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator)
    {
    }

    /// <summary>Runs the sequence.</summary>
    /// <param name="input">[T, B, features] ([B, T, features] batch first; [T, features] unbatched).</param>
    /// <param name="h0">The initial hidden state [layers·directions, B, H], or null for zeros.</param>
    /// <returns>The last layer's output at every step, and the final hidden state of every layer and direction.</returns>
    public (Tensor Output, Tensor H) Forward(Tensor input, Tensor? h0 = null)
    {
        var (output, h, _) = Run(input, h0, null);
        return (output, h);
    }
}
