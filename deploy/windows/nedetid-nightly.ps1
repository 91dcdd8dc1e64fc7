<#
.SYNOPSIS
  The nightly job around `nedetid.exe build`, for Windows Task Scheduler
  (deploy\windows\nedetid-task.xml).

.DESCRIPTION
  Runs `nedetid.exe build --schedules $Schedules --out $Out` and appends
  every line it prints (stdout and stderr) to $Log, each prefixed with the
  ISO 8601 time; logs start, end, duration and exit code; on failure also
  writes an error to the Application event log (source "nedetid", when it
  has been registered, see the README) and says that the previous
  publication was kept. Exits with nedetid's exit code (README: Exit
  codes), so Task Scheduler's "Last Run Result" shows it (0x1 invalid
  schedules, 0x3 files/folder or another build held it).

  Not run in CI (no PowerShell there): checked by reading only.

.EXAMPLE
  powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\nedetid\nedetid-nightly.ps1 `
    -Schedules D:\nedetid\schedules -Out \\web01\nedetid$ -Log C:\nedetid\logs\nightly.log
#>
param(
    [Parameter(Mandatory = $true)] [string] $Schedules,
    [Parameter(Mandatory = $true)] [string] $Out,
    [string] $Log = 'C:\nedetid\logs\nightly.log',
    [string] $Nedetid = (Join-Path $PSScriptRoot 'nedetid.exe')
)

function Now { (Get-Date).ToString('yyyy-MM-ddTHH:mm:ss.fffzzz') }
function Write-Log([string] $Line) {
    Add-Content -LiteralPath $Log -Value ("{0} {1}" -f (Now), $Line) -Encoding UTF8
}

$logDir = Split-Path -Parent $Log
if ($logDir -and -not (Test-Path -LiteralPath $logDir)) {
    New-Item -ItemType Directory -Path $logDir -Force | Out-Null
}

$started = Get-Date
Write-Log "start: $Nedetid build --schedules $Schedules --out $Out (pid $PID, user $env:USERDOMAIN\$env:USERNAME)"

# Native stderr arrives as ErrorRecords under 2>&1: they must not stop
# the script, only be logged as text.
$ErrorActionPreference = 'Continue'
$code = 0
try {
    & $Nedetid build --schedules $Schedules --out $Out 2>&1 | ForEach-Object { Write-Log ([string] $_) }
    $code = $LASTEXITCODE
} catch {
    Write-Log "could not run ${Nedetid}: $_"
    $code = 2
}
if ($null -eq $code) { $code = 2 }

$took = [int] ((Get-Date) - $started).TotalSeconds
if ($code -eq 0) {
    Write-Log "end: exit 0 after $took s"
} else {
    $msg = "end: FAILED with exit $code after $took s; nothing new was published: the previous publication in $Out is kept and still served"
    Write-Log $msg
    try {
        Write-EventLog -LogName Application -Source nedetid -EventId 1 -EntryType Error -Message "$msg. Log: $Log" -ErrorAction Stop
    } catch {
        # The source is not registered: the log file and the task's result still say it.
    }
}
exit $code
