using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>
/// A long short-term memory layer, as torch.nn.LSTM: gates i, f, g, o stacked in that order in the weights,
/// c = f ⊙ c₋ + i ⊙ g, h = o ⊙ tanh(c); multi-layer and optionally bidirectional. A PyTorch LSTM's state
/// dict loads as it is.
/// </summary>
public sealed class LSTM : RNNBase
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
    public LSTM(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f, bool bidirectional = false, Generator? generator = null)
        : base("LSTM", CellKind.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator)
    {
    }

    /// <summary>Runs the sequence.</summary>
    /// <param name="input">[T, B, features] ([B, T, features] batch first; [T, features] unbatched).</param>
    /// <param name="state">The initial hidden and cell states, each [layers·directions, B, H], or null for zeros.</param>
    /// <returns>The last layer's output at every step, and the final hidden and cell states of every layer and direction.</returns>
    public (Tensor Output, (Tensor H, Tensor C) State) Forward(Tensor input, (Tensor H, Tensor C)? state = null)
    {
        var (output, h, c) = Run(input, state?.H, state?.C);
        return (output, (h, c!));
    }
}
