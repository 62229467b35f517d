using Backprop.Kernels.Recurrent;

namespace Backprop.NN;

/// <summary>An Elman RNN, as torch.nn.RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (or ReLU), multi-layer and optionally bidirectional.</summary>
public sealed class RNN : RNNBase
{
    /// <summary>Makes the layers.</summary>
    /// <param name="inputSize">The features of each input step.</param>
    /// <param name="hiddenSize">The hidden state's size.</param>
    /// <param name="numLayers">The stacked layers.</param>
    /// <param name="nonlinearity">"tanh" or "relu".</param>
    /// <param name="bias">Whether the layers have biases.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, features].</param>
    /// <param name="dropout">The dropout between layers in training.</param>
    /// <param name="bidirectional">Whether each layer also runs backwards.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public RNN(int inputSize, int hiddenSize, int numLayers = 1, string nonlinearity = "tanh", bool bias = true, bool batchFirst = false, float dropout = 0f, bool bidirectional = false, Generator? generator = null)
        : base("RNN", nonlinearity switch
        {
            "tanh" => CellKind.RnnTanh,
            "relu" => CellKind.RnnRelu,
            _ => throw new ArgumentException($"RNN: nonlinearity '{nonlinearity}' is not one of tanh, relu.", nameof(nonlinearity)),
        }, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, generator)
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
