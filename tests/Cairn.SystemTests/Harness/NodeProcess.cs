namespace Cairn.SystemTests.Harness;

/// <summary>
/// One <c>cairn serve</c> node: its name, ports and arguments, and its current run. Kill (SIGKILL), pause and resume
/// (SIGSTOP/SIGCONT) act on the current PID only; <see cref="RestartAsync"/> starts the same command line again and
/// appends to the same log file.
/// </summary>
/// <remarks>Not thread-safe: one test drives it.</remarks>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly List<int> _pids = [];
    private LoggedProcess? _run;

    public NodeProcess(string name, int httpPort, int peerPort, IReadOnlyList<string> arguments, string logPath)
    {
        Name = name;
        HttpPort = httpPort;
        PeerPort = peerPort;
        Arguments = arguments;
        LogPath = logPath;
    }

    public string Name { get; }

    public int HttpPort { get; }

    public int PeerPort { get; }

    public Uri HttpUri => new($"http://127.0.0.1:{HttpPort}/");

    public IReadOnlyList<string> Arguments { get; }

    public string LogPath { get; }

    /// <summary>Variables set in the environment of every later start or restart (e.g. libfaketime's, for clock skew).</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    /// <summary>Every PID this node ever ran as (the last one is the current run).</summary>
    public IReadOnlyList<int> Pids => _pids;

    public int Pid => _pids.Count > 0 ? _pids[^1] : throw new InvalidOperationException($"{Name} was never started");

    public bool IsRunning => _run is { HasExited: false };

    public bool IsPaused { get; private set; }

    /// <summary>Throws (with the log's tail) when the current run has exited: a wait on this node cannot succeed any more.</summary>
    public void EnsureRunning(string during)
    {
        if (_run is null || !_run.HasExited) return;
        throw new NodeExitedException($"{Name} (pid {Pid}) exited with code {_run.ExitCode} while {during}:\n{Tail(30)}");
    }

    public void Start()
    {
        if (IsRunning) throw new InvalidOperationException($"{Name} is already running (pid {Pid})");
        _run = LoggedProcess.Start(CairnBinary.Path, Arguments, LogPath, workingDirectory: null, Environment);
        _pids.Add(_run.Pid);
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash.</summary>
    public async Task KillAsync()
    {
        if (_run is null) return;
        if (IsPaused) Resume();
        await _run.KillAsync();
    }

    public async Task RestartAsync()
    {
        await KillAsync();
        if (_run is not null) await _run.DisposeAsync();
        _run = null;
        Start();
    }

    public void Pause()
    {
        _run?.Signal(Posix.SigStop);
        IsPaused = true;
    }

    public void Resume()
    {
        _run?.Signal(Posix.SigCont);
        IsPaused = false;
    }

    public string Tail(int lines)
    {
        try
        {
            var all = File.ReadAllLines(LogPath);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException e)
        {
            return $"(log unreadable: {e.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is null) return;
        if (IsPaused) Resume();
        await _run.DisposeAsync();
        _run = null;
    }
}

/// <summary>A node process ended while a test was waiting on it.</summary>
public sealed class NodeExitedException(string message) : Exception(message);
